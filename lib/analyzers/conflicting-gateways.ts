import type { Analyzer } from './analyzer';
import { groupBy } from './group-by';
import { splitGatewayHost } from './hosts';
import { gatewaySelector, gatewayServers } from './istio-objects';
import { formatLabels } from './label-index';
import { findingOn } from './finding';
import type { Located } from '../manifest/located';
import { namespaceOf } from './mesh-index';

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
