import type { Analyzer } from './analyzer';
import { hostsOverlap, qualifiedHost, splitGatewayHost } from './hosts';
import { gatewayRefKey, gatewayServers, MESH_GATEWAY, virtualServiceGateways, virtualServiceHosts } from './istio-objects';
import { ANY_NAMESPACE } from './label-index';
import { findingOn } from './finding';
import type { Located } from '../manifest/located';
import { namespaceOf } from './mesh-index';

/**
 * IST0132: a VirtualService host that none of its bound Gateway's server hosts admits, so the
 * gateway never routes it. Gateway hosts may be `*` or `*.domain` wildcards and carry a
 * `namespace/` part limiting which namespaces' VirtualServices bind (`.` for the Gateway's own).
 * Missing Gateways are IST0101's business.
 */
export const hostNotInGatewayAnalyzer: Analyzer = {
  codes: ['IST0132'],
  name: 'VirtualService hosts are served by their Gateways',
  analyze: (index) =>
    index.virtualServices.flatMap((virtualService) => {
      const namespace = namespaceOf(virtualService);
      const boundGateways = virtualServiceGateways(virtualService.manifest)
        .filter((gatewayRef) => gatewayRef !== MESH_GATEWAY)
        .flatMap((gatewayRef) => index.gateways.get(gatewayRefKey(gatewayRef, namespace)) ?? []);
      return boundGateways.flatMap((gateway) => {
        const admitted = hostsAdmitted(gateway, namespace);
        return virtualServiceHosts(virtualService.manifest)
          .filter((host) => !admitted.some((gatewayHost) => hostsOverlap(gatewayHost, qualifiedHost(host, namespace))))
          .map((host) =>
            findingOn(virtualService, {
              code: 'IST0132',
              severity: 'error',
              message: `host "${host}" is not among the hosts of Gateway ${namespaceOf(gateway)}/${gateway.manifest.metadata.name} for namespace ${namespace}`,
              hint: `add "${host}" (or a wildcard covering it) to the Gateway's server hosts, or fix the VirtualService host`,
            }),
          );
      });
    }),
};

/** The hosts a Gateway's servers admit for VirtualServices of a namespace. */
function hostsAdmitted(gateway: Located, virtualServiceNamespace: string): string[] {
  return gatewayServers(gateway.manifest)
    .flatMap((server) => server.hosts.map((host) => splitGatewayHost(host, namespaceOf(gateway))))
    .filter(({ namespace }) => namespace === ANY_NAMESPACE || namespace === virtualServiceNamespace)
    .map(({ host }) => host);
}
