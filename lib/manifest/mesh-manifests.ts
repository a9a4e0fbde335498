/** A Kubernetes object as plain JSON, the way it is written to a file. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/**
 * The synthesized mesh: what goes to each cluster and what goes only to the control plane. It is
 * what analyzers check and what the writer writes, whether it came from constructs or was read
 * back from an output folder.
 */
export interface MeshManifests {
  /** Cluster name -> the manifests applied to that cluster (`clusters/<name>/`), in cluster order. */
  readonly clusters: ReadonlyMap<string, readonly Manifest[]>;
  /** The manifests applied only to the control-plane cluster (`control-plane/`). */
  readonly controlPlane: readonly Manifest[];
  /** The name of the cluster the control-plane folder is applied to. */
  readonly controlPlaneCluster: string;
}

/** Output folder of a cluster, relative to the output root. */
export function clusterFolder(clusterName: string): string {
  return `clusters/${clusterName}`;
}

/** Output folder of the control plane's Istio configuration, relative to the output root. */
export const CONTROL_PLANE_FOLDER = 'control-plane';

/** Output folder of the Istio install values (not applied by kustomize). */
export const INSTALL_FOLDER = 'install';

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: how findings and errors name objects. */
export function objectRef(manifest: Manifest): string {
  const { namespace, name } = manifest.metadata;
  return namespace ? `${manifest.kind}/${namespace}/${name}` : `${manifest.kind}/${name}`;
}

/** `<kind>-<namespace>-<name>.yaml`, or `<kind>-<name>.yaml` for cluster-scoped objects: the object's file in its folder. */
export function manifestFileName(manifest: Manifest): string {
  const { namespace, name } = manifest.metadata;
  return `${[manifest.kind.toLowerCase(), namespace, name].filter(Boolean).join('-')}.yaml`;
}
