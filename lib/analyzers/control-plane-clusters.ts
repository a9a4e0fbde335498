import { ANNOTATIONS, ISTIO_SYSTEM_NAMESPACE } from '../model/names';
import { clusterFolder } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import { findingOn } from './finding';
import { inCluster } from './mesh-index';

/**
 * MCL0006: an istio-system Namespace whose `topology.istio.io/controlPlaneClusters` annotation
 * does not name the control-plane cluster: missing or different on a remote (istiod will not lead
 * it: no webhook CA patching, no root-cert ConfigMaps), or naming another cluster on the control
 * plane itself. Clusters whose folder has no istio-system Namespace are not checked.
 */
export const controlPlaneClustersAnalyzer: Analyzer = {
  codes: ['MCL0006'],
  name: 'istio-system Namespaces name the control-plane cluster',
  analyze: (index) =>
    index.clusterNames.flatMap((cluster) => {
      const namespace = index.namespaces.get(inCluster(cluster, ISTIO_SYSTEM_NAMESPACE));
      if (namespace === undefined) return [];
      const named = namespace.manifest.metadata.annotations?.[ANNOTATIONS.controlPlaneClusters];
      const isRemote = cluster !== index.controlPlaneCluster;
      if (named === index.controlPlaneCluster || (named === undefined && !isRemote)) return [];
      return [
        findingOn(namespace, {
          code: 'MCL0006',
          severity: 'error',
          message: `${ANNOTATIONS.controlPlaneClusters} is ${named ?? '(none)'}, but the control-plane cluster is ${index.controlPlaneCluster}`,
          hint: `annotate ${ISTIO_SYSTEM_NAMESPACE} in ${clusterFolder(cluster)} with ${ANNOTATIONS.controlPlaneClusters}=${index.controlPlaneCluster}`,
        }),
      ];
    }),
};
