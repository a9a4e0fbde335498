import { isKind, KINDS } from '../../manifest/kinds';
import { webhookPaths } from '../../manifest/kube-objects';
import { absentObject } from '../../manifest/located';
import { clusterFolder } from '../../manifest/mesh-manifests';
import { injectionPath, ISTIO_SYSTEM_NAMESPACE, LABELS, SIDECAR_INJECTOR_WEBHOOK } from '../../model/names';
import type { Analyzer } from '../analyzer';
import { findingOn } from '../finding';
import { groupBy } from '../group-by';
import { inCluster, type MeshIndex, type Workload } from '../mesh-index';

/**
 * MCL0005: a sidecar injection webhook whose path `/inject/cluster/<c>/net/<n>` does not carry
 * the cluster it is applied to (or, when that cluster's istio-system Namespace has a
 * `topology.istio.io/network` label, its network). istiod stamps injected pods with the path's
 * cluster ID, so a wrong one makes the control plane place them in another cluster. A remote's
 * webhook must name its cluster; the control plane's may leave it out (istiod knows its own).
 */
export const injectionPathAnalyzer: Analyzer = {
  codes: ['MCL0005'],
  name: 'Injection webhook paths carry their own cluster and network',
  analyze: (index) =>
    index.folders.flatMap((folder) =>
      folder.objects
        .filter(({ manifest }) => isKind(manifest, KINDS.mutatingWebhookConfiguration) && isInjectorName(manifest.metadata.name))
        .flatMap((webhook) =>
          [...new Set(webhookPaths(webhook.manifest))].flatMap((path) => {
            const problem = pathProblem(index, webhook.cluster, path);
            if (problem === undefined) return [];
            return [
              findingOn(webhook, {
                code: 'MCL0005',
                severity: 'error',
                message: `injection path ${path} ${problem}`,
                hint: `use ${injectionPath(webhook.cluster, expectedNetwork(index, webhook.cluster) ?? '<network>')}`,
              }),
            ];
          }),
        ),
    ),
};

function isInjectorName(name: string): boolean {
  return name === SIDECAR_INJECTOR_WEBHOOK || name.startsWith(`${SIDECAR_INJECTOR_WEBHOOK}-`);
}

/** What is wrong with a webhook path in a cluster, if anything. */
function pathProblem(index: MeshIndex, cluster: string, path: string): string | undefined {
  const parameters = injectionParameters(path);
  if (parameters.cluster === undefined) {
    return cluster === index.controlPlaneCluster ? undefined : `carries no cluster, so pods of remote ${cluster} get the control plane's cluster ID`;
  }
  if (parameters.cluster !== cluster) return `names cluster ${parameters.cluster} but is applied to cluster ${cluster}`;
  const network = expectedNetwork(index, cluster);
  if (network !== undefined && parameters.net !== network) return `names network ${parameters.net ?? '(none)'} but ${ISTIO_SYSTEM_NAMESPACE} of ${cluster} is labelled network ${network}`;
  return undefined;
}

/** The key/value pairs after `/inject/`, as istiod reads them (`--slash--` standing for `/`). */
export function injectionParameters(path: string): Readonly<Record<string, string>> {
  const [, inject, ...segments] = path.split('/');
  if (inject !== 'inject') return {};
  // No prototype: a path segment such as `__proto__` or `constructor` is a plain key.
  const parameters: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < segments.length; i += 2) parameters[segments[i]] = segments[i + 1].replaceAll('--slash--', '/');
  return parameters;
}

function expectedNetwork(index: MeshIndex, cluster: string): string | undefined {
  return index.namespaces.get(inCluster(cluster, ISTIO_SYSTEM_NAMESPACE))?.manifest.metadata.labels?.[LABELS.network];
}

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

/**
 * MCL0041: a Namespace labelled both `istio-injection` and `istio.io/rev`. The injection webhooks
 * select on either, and `istio-injection` wins over the revision, so a namespace moved to a
 * revision (Sail's RevisionBased strategy) silently stays on the default injector.
 */
export const injectionLabelAnalyzer: Analyzer = {
  codes: ['MCL0041'],
  name: 'Namespaces choose one injection label',
  analyze: (index) =>
    [...index.namespaces.values()].flatMap((namespace) => {
      const labels = namespace.manifest.metadata.labels ?? {};
      if (!(LABELS.injection in labels) || !(LABELS.revision in labels)) return [];
      return [
        findingOn(namespace, {
          code: 'MCL0041',
          severity: 'error',
          message: `namespace ${namespace.manifest.metadata.name} has both ${LABELS.injection}=${labels[LABELS.injection]} and ${LABELS.revision}=${labels[LABELS.revision]}; ${LABELS.injection} wins`,
          hint: `keep ${LABELS.revision} with a revision-based control plane, ${LABELS.injection} otherwise`,
        }),
      ];
    }),
};
