import type { Analyzer } from './analyzer';
import { serviceKey, serviceOfHost } from './hosts';
import { destinationRuleHost, destinationRuleSubsets } from './istio-objects';
import { serviceSelector } from '../manifest/kube-objects';
import { formatLabels } from './label-index';
import { findingOn } from './finding';
import { namespaceOf } from './mesh-index';

/**
 * IST0173: a DestinationRule subset whose labels, together with its Service's selector, select
 * no pods in the Service's namespace in any cluster: traffic sent to it fails with 503 UH.
 * Subsets without labels and hosts that name no Service are left to other checks.
 */
export const subsetSelectsNoPodsAnalyzer: Analyzer = {
  codes: ['IST0173'],
  name: 'DestinationRule subsets select pods',
  analyze: (index) =>
    index.destinationRules.flatMap((rule) => {
      const host = destinationRuleHost(rule.manifest);
      const service = host === undefined ? undefined : serviceOfHost(host, namespaceOf(rule));
      if (service === undefined) return [];
      const definition = index.servicesByKey.get(serviceKey(service))?.[0];
      const serviceLabels = definition ? serviceSelector(definition.manifest) : {};
      return destinationRuleSubsets(rule.manifest)
        .filter((subset) => Object.keys(subset.labels).length > 0)
        .filter((subset) => index.workloadsByLabels.select(service.namespace, { ...serviceLabels, ...subset.labels }).length === 0)
        .map((subset) =>
          findingOn(rule, {
            code: 'IST0173',
            severity: 'error',
            message: `subset "${subset.name}" (${formatLabels(subset.labels)}) selects no pods of ${serviceKey(service)} in any cluster`,
            hint: 'fix the subset labels to match the pod template labels of a workload behind that Service, or deploy that workload',
          }),
        );
    }),
};
