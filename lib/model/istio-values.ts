import { localityMeshConfig } from './locality';
import type { Cluster, Mesh } from './mesh';

/**
 * The Istio chart values of each cluster, derived from the mesh model once: the `helm` installer
 * writes them as values files, the `sail` installer puts them in each cluster's `Istio` and
 * `IstioCNI` resources. They follow Istio's Helm install for primary-remote (Istio 1.24+ charts).
 */

/**
 * The primary runs istiod for every cluster: `externalIstiod` (and the env the 1.24 Helm guide
 * sets beside it) makes it lead the remotes, patching their webhook and writing their root-cert
 * ConfigMaps. Env values are strings: the chart quotes them, the Sail CRD only accepts strings.
 * `clusterLocalHosts` are the hosts constructs registered as cluster-local (zone-aware routing).
 */
export function controlPlaneIstiodValues(model: Mesh, clusterLocalHosts: readonly string[]): Record<string, unknown> {
  return {
    global: {
      meshID: model.id,
      multiCluster: { clusterName: model.controlPlane.name },
      network: model.controlPlane.network,
      externalIstiod: true,
      ...openShiftPlatform(model.hasOpenShift),
    },
    meshConfig: { trustDomain: model.trustDomain, ...localityMeshConfig(model, clusterLocalHosts) },
    // This istiod injects the pods of every cluster: one OpenShift cluster makes all of them use the CNI plugin.
    pilot: { env: { EXTERNAL_ISTIOD: 'true' }, ...(model.hasOpenShift ? { cni: { enabled: true } } : {}) },
  };
}

/** `global.platform: openshift`, what Istio's `openshift` profile sets: OpenShift's injection settings. */
function openShiftPlatform(applies: boolean): object {
  return applies ? { platform: 'openshift' } : {};
}

/** `helm install istio-base istio/base --set profile=remote --set global.externalIstiod=true`. */
export const REMOTE_BASE_VALUES = { profile: 'remote', global: { externalIstiod: true } };

/**
 * The values of upstream's Helm command for a remote. No `meshID`: the remote profile renders no
 * mesh config, the injection path carries cluster and network to the control plane instead.
 */
export function remoteIstiodValues(model: Mesh, remote: Cluster): Record<string, unknown> {
  return {
    profile: 'remote',
    global: {
      multiCluster: { clusterName: remote.name },
      network: remote.network,
      configCluster: true,
      remotePilotAddress: model.controlPlane.controlPlaneAddress,
      ...openShiftPlatform(remote.platform === 'openshift'),
    },
    istiodRemote: remote.injectionUrl ? { injectionURL: remote.injectionUrl } : { injectionPath: remote.injectionPath },
    pilot: { enabled: false, env: { EXTERNAL_ISTIOD: 'true' } },
  };
}

/** The istiod values of any cluster: the control plane's or a remote's. */
export function istiodValues(model: Mesh, cluster: Cluster, clusterLocalHosts: readonly string[]): Record<string, unknown> {
  return cluster.isControlPlane ? controlPlaneIstiodValues(model, clusterLocalHosts) : remoteIstiodValues(model, cluster);
}

/**
 * The CNI chart's values: on OpenShift its `platform-openshift` profile (Multus, not chained).
 * The 1.30 chart selects it by `global.platform`; it has no profile named `openshift`.
 */
export function cniValues(cluster: Cluster): Record<string, unknown> {
  return cluster.platform === 'openshift' ? { global: openShiftPlatform(true) } : {};
}
