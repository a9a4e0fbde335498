import { clusterFolder } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import { groupBy } from './group-by';
import { gatewayServers } from './istio-objects';
import { servicePorts, serviceSelector } from '../manifest/kube-objects';
import { selects } from './label-index';
import { findingOn } from './finding';
import { gatewayWorkloads, inCluster } from './mesh-index';
import type { MeshIndex, Workload } from './mesh-index';

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
