import type { Analyzer } from './analyzer';
import type { Finding } from './finding';
import { serviceKey, serviceOfHost } from './hosts';
import { virtualServiceDestinations } from './istio-objects';
import { servicePorts } from '../manifest/kube-objects';
import { findingOn } from './finding';
import type { Located } from '../manifest/located';
import { namespaceOf } from './mesh-index';
import type { MeshIndex } from './mesh-index';

/**
 * IST0101 (`host:port`, as istioctl reports it): a VirtualService destination names a port that
 * the destination's Service exposes in no cluster. Envoy then has no cluster for the route and
 * answers 503. A Service in any cluster counts, as Istio config applies mesh-wide; hosts that are
 * no Service (ServiceEntry hosts, unknown hosts) are left to the destination analyzer.
 */
export const missingDestinationPortAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'VirtualService destination ports exist on their Service',
  analyze: (index) => index.virtualServices.flatMap((virtualService) => check(index, virtualService)),
};

function check(index: MeshIndex, virtualService: Located): Finding[] {
  const namespace = namespaceOf(virtualService);
  const reported = new Set<string>();
  return virtualServiceDestinations(virtualService.manifest).flatMap(({ host, port }) => {
    const service = serviceOfHost(host, namespace);
    const copies = service && index.servicesByKey.get(serviceKey(service));
    if (port === undefined || !copies || reported.has(`${host}:${port}`)) return [];
    const ports = new Set(copies.flatMap((copy) => servicePorts(copy.manifest).flatMap((servicePort) => servicePort.port ?? [])));
    if (ports.has(port)) return [];
    reported.add(`${host}:${port}`);
    return [
      findingOn(virtualService, {
        code: 'IST0101',
        severity: 'error',
        message: `destination "${host}:${port}" is no port of Service ${serviceKey(service)} in any cluster (its ports: ${[...ports].sort((a, b) => a - b).join(', ') || 'none'})`,
        hint: `route to one of the Service's ports, or add port ${port} to the Service`,
      }),
    ];
  });
}
