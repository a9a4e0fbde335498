/**
 * The Helm values of Istio's charts for each cluster, derived from the mesh model in one place:
 * the `helm` installer writes them as values files under `install/`, the `sail` installer puts
 * them in each cluster's `Istio` and `IstioCNI` resources. Only keys the targeted charts read
 * (test/meshes/helm-values.test.ts checks every key against the charts' `values.yaml`).
 */
import { localityMeshConfig } from './locality';
import type { Cluster, Mesh } from './mesh';
import { trustIstiodValues, type Trust } from './trust';

/** A Helm value: a scalar, a map or a list (MeshConfig's `serviceSettings`). */
export type HelmValue = string | number | boolean | HelmValues | readonly HelmValue[];

/** Helm values: nested maps. */
export interface HelmValues {
  readonly [key: string]: HelmValue;
}

/** The platform profile (`files/profile-platform-openshift.yaml`) every chart applies for `global.platform: openshift`. */
const OPENSHIFT_PLATFORM = 'openshift';

function platformValues(cluster: Cluster): HelmValues {
  return cluster.platform === 'openshift' ? { platform: OPENSHIFT_PLATFORM } : {};
}

/**
 * Whether pods are injected for the CNI plugin: the control plane's istiod injects the pods of
 * every cluster, and one OpenShift cluster, whose restricted security policy rejects the
 * privileged `istio-init`, needs it.
 */
export function usesCniPlugin(mesh: Mesh): boolean {
  return mesh.hasOpenShift;
}

/**
 * The `istiod` chart's values for a cluster. The control plane runs istiod for every cluster
 * (`global.externalIstiod` makes it lead the remotes: it patches their webhook and writes their
 * root-cert ConfigMaps); a remote's values are upstream's `profile: remote` install, which the Sail
 * operator renders from the remote's `Istio` (the `helm` installer writes none for remotes: their
 * folders hold those objects, lib/model/remote-profile-differences.ts). A remote's
 * `global.platform` follows its own platform, the control plane's follows every cluster it
 * injects for (`controlPlanePlatformValues`).
 */
export function istiodValues(mesh: Mesh, cluster: Cluster, clusterLocalHosts: readonly string[] = [], trust: Trust = mesh.trust): HelmValues {
  return cluster.isControlPlane ? controlPlaneIstiodValues(mesh, cluster, clusterLocalHosts, trust) : remoteIstiodValues(mesh, cluster);
}

/** `clusterLocalHosts`: hosts constructs keep inside each cluster, beside the model's own; `meshTrust` the trust chain (`mesh.trust`, or MeshTrust's). */
function controlPlaneIstiodValues(mesh: Mesh, controlPlane: Cluster, clusterLocalHosts: readonly string[], meshTrust: Trust): HelmValues {
  const trust = trustIstiodValues(meshTrust);
  return {
    global: {
      meshID: mesh.id,
      multiCluster: { clusterName: controlPlane.name },
      network: controlPlane.network,
      externalIstiod: true,
      ...controlPlanePlatformValues(mesh),
      ...(trust.caAddress === undefined ? {} : { caAddress: trust.caAddress }),
    },
    meshConfig: {
      trustDomain: mesh.trustDomain,
      ...(localityMeshConfig(mesh, clusterLocalHosts) as HelmValues),
      ...(Object.keys(trust.proxyMetadata).length > 0 ? { defaultConfig: { proxyMetadata: trust.proxyMetadata } } : {}),
      ...(trust.caCertificates.length > 0 ? { caCertificates: trust.caCertificates } : {}),
    },
    // The trust chain's istiod variables; istiod's chart copies `pilot` to the top (`templates/zzy_descope_legacy.yaml`), the Sail operator reads `pilot.env`.
    ...(Object.keys(trust.env).length > 0 ? { pilot: { env: trust.env } } : {}),
    // No `pilot.env.EXTERNAL_ISTIOD`: the istiod chart of every supported release (1.24.6 to 1.30.3,
    // `templates/deployment.yaml`) derives that variable from `global.externalIstiod`, and the Sail
    // operator never prunes an old revision of an `Istio` whose values set it
    // (`controllers/istio/istio_controller.go`, `managesExternalRevision`). Sail's single-network
    // guide (`docs/deployment-models/multicluster.adoc`) sets only `global.externalIstiod` too.
  };
}

/**
 * The control plane's istiod injects the pods of every cluster, so it runs with OpenShift's
 * platform whenever any cluster is OpenShift, also on a Kubernetes control plane. Only with
 * `PLATFORM=openshift` does its injector read a namespace's `openshift.io/sa.scc.uid-range` and
 * give the proxy that range's UID (istio `pkg/kube/inject/webhook.go`, `inject.go` `GetProxyIDs`,
 * 1.24 to 1.30); otherwise it injects UID 1337, which OpenShift's `restricted-v2` refuses. For a
 * Kubernetes cluster's namespaces, which carry no such annotation, it still injects 1337. What
 * else the platform profile changes in the istiod chart (checked by rendering it with and without,
 * test/meshes/helm-render.test.ts): `pilot.cni` (the CNI plugin and Multus's
 * `k8s.v1.cni.cncf.io/networks` annotation, which clusters without Multus ignore), ambient's
 * trusted ztunnel namespace (no ztunnel runs in a sidecar mesh) and CNI paths in the injector's
 * values that no template reads.
 */
function controlPlanePlatformValues(mesh: Mesh): HelmValues {
  return mesh.hasOpenShift ? { platform: OPENSHIFT_PLATFORM } : {};
}

/** No `meshID`: the remote profile renders no mesh config; the injection path carries cluster and network to the control plane. */
function remoteIstiodValues(mesh: Mesh, remote: Cluster): HelmValues {
  return {
    profile: 'remote',
    global: {
      multiCluster: { clusterName: remote.name },
      network: remote.network,
      configCluster: true,
      remotePilotAddress: mesh.istiodAddress,
      ...platformValues(remote),
    },
    istiodRemote: remote.injectionUrl ? { injectionURL: remote.injectionUrl } : { injectionPath: remote.injectionPath },
  };
}

/**
 * The `base` chart's values on a remote: upstream's `profile: remote`. The chart renders the
 * reader ServiceAccount, so the remote's folder holds only its RBAC and token Secret.
 */
export function remoteBaseValues(): HelmValues {
  return { profile: 'remote' };
}

/**
 * The `cni` chart's values: the OpenShift platform profile (Multus paths, not chained, and the
 * `default/istio-cni` NetworkAttachmentDefinition injected pods name) on OpenShift; none, the
 * chart's defaults, elsewhere.
 */
export function cniValues(cluster: Cluster): HelmValues | undefined {
  return cluster.platform === 'openshift' ? { global: platformValues(cluster) } : undefined;
}
