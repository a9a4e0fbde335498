import type { Analyzer } from './analyzer';
import type { Finding } from './finding';
import { virtualServiceDestinations } from './istio-objects';
import type { Destination } from './istio-objects';
import { findingOn } from './finding';
import type { Located } from '../manifest/located';
import { definedSubsets, hostIsKnown, namespaceOf } from './mesh-index';
import type { MeshIndex } from './mesh-index';

/**
 * IST0101: a VirtualService routes (or mirrors) to a host that is no Service in any cluster and
 * no ServiceEntry host, or to a subset no DestinationRule of that host defines. Istio config
 * applies mesh-wide, so a Service in any one cluster satisfies the host.
 */
export const missingDestinationAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'VirtualService destinations exist',
  analyze: (index) =>
    index.virtualServices.flatMap((virtualService) => distinct(virtualServiceDestinations(virtualService.manifest)).flatMap((destination) => check(index, virtualService, destination))),
};

function check(index: MeshIndex, virtualService: Located, { host, subset }: Destination): Finding[] {
  const namespace = namespaceOf(virtualService);
  if (!hostIsKnown(index, host, namespace)) {
    return [
      findingOn(virtualService, {
        code: 'IST0101',
        severity: 'error',
        message: `destination host "${host}" is no Service in any cluster and no ServiceEntry host`,
        hint: 'create the Service in the clusters that run the workload, fix the host, or declare it in a ServiceEntry',
      }),
    ];
  }
  if (subset !== undefined && !definedSubsets(index, host, namespace).has(subset)) {
    return [
      findingOn(virtualService, {
        code: 'IST0101',
        severity: 'error',
        message: `destination subset "${subset}" of host "${host}" is defined by no DestinationRule of that host`,
        hint: `add subset "${subset}" to the DestinationRule of "${host}"`,
      }),
    ];
  }
  return [];
}

function distinct(destinations: readonly Destination[]): Destination[] {
  return [...new Map(destinations.map((destination) => [`${destination.host}\u0000${destination.subset ?? ''}`, destination])).values()];
}
