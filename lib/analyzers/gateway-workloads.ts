import type { Analyzer } from './analyzer';
import type { Finding } from './finding';
import { gatewaySelector } from './istio-objects';
import { ANY_NAMESPACE, formatLabels } from './label-index';
import { findingOn } from './finding';
import { gatewayWorkloads } from './mesh-index';

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
