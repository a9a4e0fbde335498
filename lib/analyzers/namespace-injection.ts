import { ISTIO_SYSTEM_NAMESPACE, LABELS } from '../model/names';
import { clusterFolder } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import { groupBy } from './group-by';
import { findingOn } from './finding';
import { absentObject } from '../manifest/located';
import { inCluster } from './mesh-index';
import type { Workload } from './mesh-index';

/** Namespaces whose workloads are the platform's or Istio's own, never injected. */
const UNINJECTED_NAMESPACES: ReadonlySet<string> = new Set([ISTIO_SYSTEM_NAMESPACE, 'kube-system']);

/**
 * IST0102: a namespace that runs workloads in a cluster but carries neither `istio-injection`
 * nor `istio.io/rev`, so its pods start without a sidecar and stay out of the mesh. Workloads
 * that opt in or out through their own pod labels do not count, and a namespace labelled
 * `istio-injection: disabled` is a deliberate choice. Warning, not istioctl's info: in a
 * generated mesh an uninjected application namespace is almost always a mistake.
 */
export const namespaceNotInjectedAnalyzer: Analyzer = {
  codes: ['IST0102'],
  name: 'Namespaces with workloads are injected',
  analyze: (index) => {
    const relyingOnNamespace = index.workloads.filter((workload) => !UNINJECTED_NAMESPACES.has(workload.namespace) && !choosesInjection(workload));
    const byNamespace = groupBy(relyingOnNamespace, (workload) => inCluster(workload.located.cluster, workload.namespace));
    return [...byNamespace].flatMap(([key, [{ located: { cluster }, namespace }]]) => {
      const namespaceObject = index.namespaces.get(key);
      const labels = namespaceObject?.manifest.metadata.labels ?? {};
      if (LABELS.injection in labels || LABELS.revision in labels) return [];
      const location = namespaceObject ?? absentObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, cluster, clusterFolder(cluster));
      return [
        findingOn(location, {
          code: 'IST0102',
          severity: 'warning',
          message: `namespace ${namespace} runs workloads in cluster ${cluster} but has no ${LABELS.injection} or ${LABELS.revision} label`,
          hint: `label the Namespace ${LABELS.injection}=enabled in ${clusterFolder(cluster)}`,
        }),
      ];
    });
  },
};

/** True when the pods decide injection themselves (`sidecar.istio.io/inject` or `istio.io/rev` pod label). */
function choosesInjection(workload: Workload): boolean {
  const labels = workload.pods.labels;
  return LABELS.sidecarInject in labels || LABELS.revision in labels;
}
