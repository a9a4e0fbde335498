import { createHash } from 'node:crypto';
import type { ControlPlaneAddressKind } from '../model/mesh-spec';

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
  /**
   * How remotes reach istiod (`controlPlaneAddressKind`) when the mesh model says so: synthesis
   * gives it. A tree read back (`validate`) does not, and the analyzers judge from its objects.
   */
  readonly controlPlaneAddressKind?: ControlPlaneAddressKind;
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

/** The API group of a manifest's `apiVersion`: `apps/v1` -> `apps`, `v1` -> `''`. */
export function apiGroup(manifest: Manifest): string {
  const slash = manifest.apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : manifest.apiVersion.slice(0, slash);
}

/**
 * The object's file in its folder: `<kind>[.<group>]_<namespace>_<name>.yaml`, or
 * `<kind>[.<group>]_<name>.yaml` for a cluster-scoped object (kubectl's `kind.group` notation; the
 * core group has none), e.g. `deployment.apps_bookinfo_productpage-v1.yaml`, `namespace_bookinfo.yaml`.
 *
 * Two objects of one folder never share a file: `_` separates the parts and appears in none of
 * them, since each part keeps only `[a-z0-9.-]` and writes any other byte as `%XX` (uppercase
 * included, so names differing in case stay apart on a case-insensitive disk). Kinds are
 * lowercased: the API server names a kind's resources in lowercase, so no group serves two kinds
 * that differ only in case. A name too long for a file system keeps its first characters and ends
 * in `~` and a hash of the whole name; `~` is otherwise always encoded, so only such names carry it.
 */
export function manifestFileName(manifest: Manifest): string {
  const { namespace, name } = manifest.metadata;
  const group = apiGroup(manifest);
  const kind = manifest.kind.toLowerCase();
  const parts = [group ? `${kind}.${group}` : kind, ...(namespace ? [namespace] : []), name];
  const stem = parts.map(encodeFileNamePart).join('_');
  return `${stem.length <= MAX_FILE_STEM ? stem : `${stem.slice(0, MAX_FILE_STEM - HASH_SUFFIX_LENGTH)}~${sha256(stem).slice(0, HASH_SUFFIX_LENGTH - 1)}`}.yaml`;
}

/** 255 bytes, the usual limit of a file name, less `.yaml`. */
const MAX_FILE_STEM = 250;
/** `~` and 16 hex digits of the hash. */
const HASH_SUFFIX_LENGTH = 17;

/** A part that needs no encoding: Kubernetes names are DNS names, so almost every part. */
const FILE_NAME_SAFE = /^[a-z0-9.-]*$/;

/** Every byte outside `[a-z0-9.-]` as `%XX` (UTF-8), so the result holds no `_`, `~`, `/` or uppercase letter. */
function encodeFileNamePart(part: string): string {
  if (FILE_NAME_SAFE.test(part)) return part;
  let encoded = '';
  for (const byte of Buffer.from(part, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[a-z0-9.-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
