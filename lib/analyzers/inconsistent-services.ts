import { ISTIO_SYSTEM_NAMESPACE } from '../model/names';
import type { Manifest } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import { servicePorts, serviceSelector } from '../manifest/kube-objects';
import { formatLabels } from './label-index';
import { findingOn } from './finding';

/**
 * IST0170: the same Service (namespace/name) defined differently across clusters, in its ports
 * (number, protocol, name, appProtocol) or its selector. Istio merges them into one service, so
 * the clusters disagree on how to reach it. istio-system is left out: the remotes' selector-less
 * `istiod` Service differs from the control plane's by design.
 */
export const inconsistentServiceAnalyzer: Analyzer = {
  codes: ['IST0170'],
  name: 'Services are defined alike in every cluster',
  analyze: (index) =>
    [...index.servicesByKey.values()].flatMap(([reference, ...others]) => {
      if (reference.manifest.metadata.namespace === ISTIO_SYSTEM_NAMESPACE) return [];
      const expected = shape(reference.manifest);
      return others.flatMap((service) => {
        const actual = shape(service.manifest);
        const differences = (['ports', 'selector'] as const)
          .filter((aspect) => actual[aspect] !== expected[aspect])
          .map((aspect) => `${aspect} ${actual[aspect] || '(none)'} instead of ${expected[aspect] || '(none)'}`);
        if (differences.length === 0) return [];
        return [
          findingOn(service, {
            code: 'IST0170',
            severity: 'warning',
            message: `differs from the definition in cluster ${reference.cluster}: ${differences.join('; ')}`,
            hint: 'define the Service identically in every cluster (same ports, protocols and selector)',
          }),
        ];
      });
    }),
};

/** What must agree across clusters, as comparable strings. */
function shape(service: Manifest): { readonly ports: string; readonly selector: string } {
  const ports = servicePorts(service)
    .map((port) => `${port.port}/${port.protocol}/${port.name ?? ''}${port.appProtocol ? `/${port.appProtocol}` : ''}`)
    .sort()
    .join(',');
  return { ports, selector: formatLabels(serviceSelector(service)) };
}
