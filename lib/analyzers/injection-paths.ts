import { injectionPath, ISTIO_SYSTEM_NAMESPACE, LABELS, SIDECAR_INJECTOR_WEBHOOK } from '../model/names';
import type { Analyzer } from './analyzer';
import { isKind, KINDS } from '../manifest/kinds';
import { webhookPaths } from '../manifest/kube-objects';
import { findingOn } from './finding';
import { inCluster } from './mesh-index';
import type { MeshIndex } from './mesh-index';

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
