import { servicePorts } from '../../manifest/kube-objects';
import type { Located } from '../../manifest/located';
import type { Analyzer } from '../analyzer';
import { type Finding, findingOn } from '../finding';
import { hostsOverlap, qualifiedHost, serviceKey, serviceOfHost, splitGatewayHost } from '../hosts';
import { type Destination, gatewayRefKey, gatewayServers, MESH_GATEWAY, virtualServiceDestinations, virtualServiceGateways, virtualServiceHosts } from '../istio-objects';
import { ANY_NAMESPACE } from '../label-index';
import { definedSubsets, hostIsKnown, type MeshIndex, namespaceOf } from '../mesh-index';

/**
 * IST0101: a VirtualService routes (or mirrors) to a host that is no Service in any cluster and
 * no ServiceEntry host, or to a subset no DestinationRule of that host defines. Istio config
 * applies mesh-wide, so a Service in any one cluster satisfies the host.
 */
export const missingDestinationAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'VirtualService destinations exist',
  analyze: (index) =>
    index.virtualServices.flatMap((virtualService) => distinct(virtualServiceDestinations(virtualService.manifest)).flatMap((destination) => missingDestination(index, virtualService, destination))),
};

function missingDestination(index: MeshIndex, virtualService: Located, { host, subset }: Destination): Finding[] {
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

/** IST0101: a VirtualService bound to a Gateway that no Istio configuration defines. */
export const missingGatewayAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'VirtualService gateways exist',
  analyze: (index) =>
    index.virtualServices.flatMap((virtualService) =>
      virtualServiceGateways(virtualService.manifest)
        .filter((gatewayRef) => gatewayRef !== MESH_GATEWAY && !index.gateways.has(gatewayRefKey(gatewayRef, namespaceOf(virtualService))))
        .map((gatewayRef) =>
          findingOn(virtualService, {
            code: 'IST0101',
            severity: 'error',
            message: `gateway "${gatewayRef}" is not defined: no Gateway ${gatewayRefKey(gatewayRef, namespaceOf(virtualService))} in the Istio configuration`,
            hint: 'define that Gateway in the control-plane configuration, or reference an existing one as <namespace>/<name>',
          }),
        ),
    ),
};

/**
 * IST0101 (`host:port`, as istioctl reports it): a VirtualService destination names a port that
 * the destination's Service exposes in no cluster. Envoy then has no cluster for the route and
 * answers 503. A Service in any cluster counts, as Istio config applies mesh-wide; hosts that are
 * no Service (ServiceEntry hosts, unknown hosts) are left to the destination analyzer.
 */
export const missingDestinationPortAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'VirtualService destination ports exist on their Service',
  analyze: (index) => index.virtualServices.flatMap((virtualService) => missingDestinationPorts(index, virtualService)),
};

function missingDestinationPorts(index: MeshIndex, virtualService: Located): Finding[] {
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
