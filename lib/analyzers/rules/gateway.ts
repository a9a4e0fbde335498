import { servicePorts, serviceSelector } from '../../manifest/kube-objects';
import type { Located } from '../../manifest/located';
import { clusterFolder } from '../../manifest/mesh-manifests';
import type { Analyzer } from '../analyzer';
import { type Finding, findingOn } from '../finding';
import { groupBy } from '../group-by';
import { splitGatewayHost } from '../hosts';
import { gatewaySelector, gatewayServers } from '../istio-objects';
import { ANY_NAMESPACE, formatLabels, selects } from '../label-index';
import { gatewayWorkloads, inCluster, type MeshIndex, namespaceOf, type Workload } from '../mesh-index';

/**
 * IST0162: a Gateway server port that no Service in front of the gateway pods exposes (as `port`
 * or numeric `targetPort`), checked in each cluster the gateway runs in: clients of that cluster
 * cannot reach the listener.
 */
export const gatewayPortNotOnServiceAnalyzer: Analyzer = {
  codes: ['IST0162'],
  name: 'Gateway ports are exposed by the gateway Service',
  analyze: (index) =>
    [...index.gateways.values()].flatMap((gateway) => {
      const serverPorts = new Set(gatewayServers(gateway.manifest).flatMap((server) => server.portNumber ?? []));
      const workloadsByCluster = groupBy(gatewayWorkloads(index, gateway), (workload) => workload.located.cluster);
      return [...workloadsByCluster].flatMap(([cluster, workloads]) => {
        const exposed = exposedPorts(index, workloads);
        return [...serverPorts]
          .filter((port) => !exposed.has(port))
          .map((port) =>
            findingOn(
              gateway,
              {
                code: 'IST0162',
                severity: 'error',
                message: `port ${port} is exposed by no Service selecting the gateway pods in cluster ${cluster}`,
                hint: `add port ${port} to the gateway Service in ${clusterFolder(cluster)}`,
              },
              cluster,
            ),
          );
      });
    }),
};

/** The port numbers the Services selecting these workloads' pods expose. */
function exposedPorts(index: MeshIndex, workloads: readonly Workload[]): Set<number> {
  const services = workloads.flatMap((workload) =>
    (index.servicesByNamespace.get(inCluster(workload.located.cluster, workload.namespace)) ?? []).filter((service) =>
      selects(serviceSelector(service.manifest), workload.pods.labels),
    ),
  );
  return new Set(
    services.flatMap((service) => servicePorts(service.manifest).flatMap((port) => [port.port, port.targetPort].filter((value): value is number => typeof value === 'number'))),
  );
}

/**
 * IST0101: a Gateway's TLS `credentialName` is missing where the gateway runs. istiod reads it
 * in the namespace of the gateway workload, not of the Gateway object, so it is checked in each
 * cluster and namespace whose pods the Gateway selects. A Secret, a cert-manager Certificate
 * (`spec.secretName`) or an ExternalSecret (target name) provides it.
 */
export const missingCredentialAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'Gateway credentials exist where the gateway runs',
  analyze: (index) =>
    [...index.gateways.values()].flatMap((gateway) => {
      const credentialNames = new Set(gatewayServers(gateway.manifest).flatMap((server) => server.credentialNames));
      const places = new Map(gatewayWorkloads(index, gateway).map((workload) => [inCluster(workload.located.cluster, workload.namespace), workload]));
      return [...places.values()].flatMap(({ located: { cluster }, namespace }) =>
        [...credentialNames]
          .filter((credentialName) => !index.providedSecrets.has(inCluster(cluster, namespace, credentialName)))
          .map((credentialName) =>
            findingOn(
              gateway,
              {
                code: 'IST0101',
                severity: 'error',
                message: `TLS credential "${credentialName}" is missing in namespace ${namespace} of cluster ${cluster}, where the gateway runs`,
                hint: `add Secret ${namespace}/${credentialName} to ${clusterFolder(cluster)} (or a Certificate or ExternalSecret that creates it)`,
              },
              cluster,
            ),
          ),
      );
    }),
};

/**
 * IST0145: two Gateways with the same selector that both claim the same port number and host:
 * the gateway pods get two listeners for one host and port, and one of them loses. With one
 * dedicated gateway per cluster this catches a selector label reused across clusters' Gateways.
 */
export const conflictingGatewaysAnalyzer: Analyzer = {
  codes: ['IST0145'],
  name: 'Gateways do not claim the same selector, port and host',
  analyze: (index) => {
    const claims = [...index.gateways.values()].flatMap((gateway) => {
      const selector = formatLabels(gatewaySelector(gateway.manifest));
      return gatewayServers(gateway.manifest).flatMap((server) =>
        server.hosts.map((host) => ({ gateway, claim: `${selector} port ${server.portNumber} host ${splitGatewayHost(host, namespaceOf(gateway)).host.toLowerCase()}` })),
      );
    });
    const rivalsByGateway = new Map<Located, Map<Located, string>>();
    for (const claimants of groupBy(claims, ({ claim }) => claim).values()) {
      for (const { gateway, claim } of claimants) {
        for (const rival of claimants) {
          if (rival.gateway === gateway) continue;
          const rivals = rivalsByGateway.get(gateway) ?? new Map<Located, string>();
          rivals.set(rival.gateway, claim);
          rivalsByGateway.set(gateway, rivals);
        }
      }
    }
    return [...rivalsByGateway].map(([gateway, rivals]) =>
      findingOn(gateway, {
        code: 'IST0145',
        severity: 'error',
        message: `conflicts with ${[...rivals].map(([rival, claim]) => `Gateway ${namespaceOf(rival)}/${rival.manifest.metadata.name} (${claim})`).join(', ')}`,
        hint: 'give each gateway deployment its own selector label, or merge the servers into one Gateway',
      }),
    );
  },
};

/**
 * KIA0302: a Gateway whose selector matches no gateway workload. A cluster should run the
 * gateway when it has a Service for it (a selector carrying every label of the Gateway's
 * selector): there the finding is per cluster. When no cluster runs a selected workload and no
 * cluster has such a Service, it is reported once. Gateway selectors pick pods in any namespace,
 * as Istio does by default.
 */
export const gatewaySelectsNoWorkloadAnalyzer: Analyzer = {
  codes: ['KIA0302'],
  name: 'Gateways select a gateway workload where they should run',
  analyze: (index) =>
    [...index.gateways.values()].flatMap((gateway): Finding[] => {
      const selector = gatewaySelector(gateway.manifest);
      if (Object.keys(selector).length === 0) return [];
      const running = new Set(gatewayWorkloads(index, gateway).map((workload) => workload.located.cluster));
      const expected = new Set(index.servicesBySelector.select(ANY_NAMESPACE, selector).map((service) => service.cluster));
      const missing = [...expected].filter((cluster) => !running.has(cluster));
      const details = {
        code: 'KIA0302',
        severity: 'error',
        hint: `deploy the gateway workload with pod labels ${formatLabels(selector)}, or fix the Gateway selector`,
      } as const;
      if (running.size === 0 && missing.length === 0) {
        return [findingOn(gateway, { ...details, message: `selector ${formatLabels(selector)} matches no workload in any cluster` })];
      }
      return missing.map((cluster) =>
        findingOn(
          gateway,
          { ...details, message: `selector ${formatLabels(selector)} matches no workload in cluster ${cluster}, which has a Service for the gateway` },
          cluster,
        ),
      );
    }),
};
