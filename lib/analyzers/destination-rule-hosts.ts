import type { Analyzer } from './analyzer';
import { destinationRuleHost } from './istio-objects';
import { findingOn } from './finding';
import { hostIsKnown, namespaceOf } from './mesh-index';

/** IST0174: a DestinationRule for a host that is no Service in any cluster and no ServiceEntry host (wildcards are not checked). */
export const unknownDestinationRuleHostAnalyzer: Analyzer = {
  codes: ['IST0174'],
  name: 'DestinationRule hosts exist',
  analyze: (index) =>
    index.destinationRules.flatMap((rule) => {
      const host = destinationRuleHost(rule.manifest);
      if (host === undefined || host.includes('*') || hostIsKnown(index, host, namespaceOf(rule))) return [];
      return [
        findingOn(rule, {
          code: 'IST0174',
          severity: 'error',
          message: `host "${host}" is no Service in any cluster and no ServiceEntry host`,
          hint: 'fix the host, or create the Service in the clusters that run the workload',
        }),
      ];
    }),
};
