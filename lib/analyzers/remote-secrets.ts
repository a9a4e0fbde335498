import { ANNOTATIONS, ISTIO_SYSTEM_NAMESPACE, LABELS, remoteSecretName } from '../model/names';
import { CONTROL_PLANE_FOLDER } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import type { Finding } from './finding';
import { findingOn } from './finding';
import { absentObject } from '../manifest/located';
import type { MeshIndex } from './mesh-index';
import type { RemoteSecret } from '../manifest/remote-secret';

/**
 * The remote secrets istiod reads on the control-plane cluster (labelled `istio/multiCluster`, in
 * istio-system; a Secret or the one an ExternalSecret renders):
 * - MCL0002: a remote cluster has none, so istiod never discovers its endpoints or leads it;
 * - MCL0003: a secret's data key names the control-plane cluster (istiod ignores it) or a cluster
 *   the mesh does not have (istiod connects to something unknown);
 * - MCL0004: a secret's name `istio-remote-secret-<c>`, its `networking.istio.io/cluster`
 *   annotation and its single data key do not name the same cluster.
 */
export const remoteSecretAnalyzer: Analyzer = {
  codes: ['MCL0002', 'MCL0003', 'MCL0004'],
  name: 'Remote secrets cover exactly the remote clusters, consistently named',
  analyze: (index) => {
    const meshClusters = new Set(index.clusterNames);
    return [
      ...missingSecrets(index),
      ...index.remoteSecrets.flatMap((secret) => [...foreignKeys(index, meshClusters, secret), ...inconsistentNames(secret)]),
    ];
  },
};

function missingSecrets(index: MeshIndex): Finding[] {
  const covered = new Set(index.remoteSecrets.flatMap((secret) => secret.dataKeys));
  return index.clusterNames
    .filter((cluster) => cluster !== index.controlPlaneCluster && !covered.has(cluster))
    .map((cluster) =>
      findingOn(
        absentObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: remoteSecretName(cluster), namespace: ISTIO_SYSTEM_NAMESPACE } }, index.controlPlaneCluster, CONTROL_PLANE_FOLDER),
        {
          code: 'MCL0002',
          severity: 'error',
          message: `remote cluster ${cluster} has no remote secret on the control plane`,
          hint: `add a Secret (or ExternalSecret) labelled ${LABELS.multiClusterSecret}=true in ${ISTIO_SYSTEM_NAMESPACE} with the kubeconfig of ${cluster} under key "${cluster}"`,
        },
      ),
    );
}

function foreignKeys(index: MeshIndex, meshClusters: ReadonlySet<string>, secret: RemoteSecret): Finding[] {
  return secret.dataKeys
    .filter((key) => key === index.controlPlaneCluster || !meshClusters.has(key))
    .map((key) =>
      findingOn(secret.located, {
        code: 'MCL0003',
        severity: 'error',
        message: key === index.controlPlaneCluster
          ? `holds a kubeconfig for the control-plane cluster ${key}, which istiod ignores`
          : `holds a kubeconfig for "${key}", which is no cluster of the mesh (clusters: ${index.clusterNames.join(', ')})`,
        hint: 'keep remote secrets for the remote clusters only, keyed by their cluster names',
      }),
    );
}

function inconsistentNames(secret: RemoteSecret): Finding[] {
  const [cluster] = secret.dataKeys;
  const consistent = secret.dataKeys.length === 1 && secret.clusterAnnotation === cluster && secret.name === remoteSecretName(cluster);
  if (consistent) return [];
  return [
    findingOn(secret.located, {
      code: 'MCL0004',
      severity: 'error',
      message: `name ${secret.name}, annotation ${ANNOTATIONS.clusterName}=${secret.clusterAnnotation ?? '(none)'} and data keys [${secret.dataKeys.join(', ')}] do not name one cluster`,
      hint: `derive the name, annotation and data key from one cluster name: ${remoteSecretName('<cluster>')}, <cluster>, <cluster>`,
    }),
  ];
}
