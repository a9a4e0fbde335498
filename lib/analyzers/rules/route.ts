import { type ServicePort, routeTarget, servicePorts } from '../../manifest/kube-objects';
import { isKind, KINDS } from '../../manifest/kinds';
import type { Located } from '../../manifest/located';
import { clusterFolder } from '../../manifest/mesh-manifests';
import type { Analyzer } from '../analyzer';
import { type Finding, findingOn } from '../finding';
import { hostsOverlap, splitGatewayHost } from '../hosts';
import { gatewaySelector, gatewayServers } from '../istio-objects';
import { ANY_NAMESPACE } from '../label-index';
import { inCluster, type MeshIndex, namespaceOf } from '../mesh-index';

/** Gateway server protocols whose listener terminates or passes TLS, which a passthrough Route needs. */
const TLS_PROTOCOLS: ReadonlySet<string> = new Set(['HTTPS', 'TLS']);

/**
 * MCL0120 and MCL0121: an OpenShift Route in front of an Istio gateway (a Route whose Service
 * selects the pods some Gateway selects) must agree with that Gateway. The router picks a
 * passthrough Route by the client's SNI and hands the connection to the Service port the Route
 * names; the gateway then serves it only if a Gateway server on that port has the host and
 * terminates TLS. Routes to other Services are not judged.
 */
export const routeMatchesGatewayAnalyzer: Analyzer = {
  codes: ['MCL0120', 'MCL0121'],
  name: 'Routes in front of a gateway agree with its Gateway (host, TLS port)',
  analyze: (index) => {
    const gatewaysByService = new Map<Located, Located[]>();
    for (const gateway of index.gateways.values()) {
      for (const service of index.servicesBySelector.select(ANY_NAMESPACE, gatewaySelector(gateway.manifest))) {
        gatewaysByService.set(service, [...(gatewaysByService.get(service) ?? []), gateway]);
      }
    }
    return index.folders.flatMap((folder) => folder.objects.filter((located) => isKind(located.manifest, KINDS.route))).flatMap((route) => routeFindings(index, gatewaysByService, route));
  },
};

function routeFindings(index: MeshIndex, gatewaysByService: ReadonlyMap<Located, readonly Located[]>, route: Located): Finding[] {
  const target = routeTarget(route.manifest);
  const namespace = namespaceOf(route);
  const service = (index.servicesByNamespace.get(inCluster(route.cluster, namespace)) ?? []).find((candidate) => candidate.manifest.metadata.name === target.service);
  const gateways = service === undefined ? [] : (gatewaysByService.get(service) ?? []);
  if (service === undefined || gateways.length === 0) return [];
  const serviceName = `${namespace}/${service.manifest.metadata.name}`;
  const port = servicePorts(service.manifest).find((candidate) => portMatches(candidate, target.targetPort));
  const servers = gateways.flatMap((gateway) => gatewayServers(gateway.manifest).map((server) => ({ gateway, server })));
  const tlsServers = servers.filter(({ server }) => server.portNumber !== undefined && TLS_PROTOCOLS.has(server.protocol ?? ''));
  const onPort = port === undefined ? [] : tlsServers.filter(({ server }) => server.portNumber === port.port || server.portNumber === port.targetPort);
  const tlsPorts = [...new Set(tlsServers.map(({ server }) => server.portNumber))].join(', ') || 'none';
  if (onPort.length === 0) {
    const what = port === undefined ? `targetPort ${shownValue(target.targetPort)} is no port of Service ${serviceName}` : `targetPort ${shownValue(target.targetPort)} is port ${port.port} of Service ${serviceName}, where no Gateway server terminates TLS`;
    return [
      findingOn(route, {
        code: 'MCL0121',
        severity: 'error',
        message: `${what} (the Gateway's HTTPS or TLS server ports: ${tlsPorts}); the router sends every connection there`,
        hint: `set spec.port.targetPort to the name of the Service port that the Gateway's HTTPS server listens on, in ${clusterFolder(route.cluster)}`,
      }),
    ];
  }
  const hosts = onPort.flatMap(({ gateway, server }) => server.hosts.map((host) => splitGatewayHost(host, namespaceOf(gateway)).host));
  if (target.host !== undefined && hosts.some((host) => hostsOverlap(host, target.host!))) return [];
  return [
    findingOn(route, {
      code: 'MCL0120',
      severity: 'error',
      message: `host ${shownValue(target.host)} is no host of the Gateway server on port ${port!.port} of Service ${serviceName} (${hosts.join(', ')}): the gateway refuses what the router passes it`,
      hint: `set the Route's spec.host to the Gateway's host (a Route's host cannot be changed once created: delete and recreate it)`,
    }),
  ];
}

/** A Service port a Route's targetPort names: by name when a string, by target or port number when a number. */
function portMatches(port: ServicePort, targetPort: number | string | undefined): boolean {
  if (typeof targetPort === 'string') return port.name === targetPort;
  return targetPort !== undefined && (port.targetPort === targetPort || port.port === targetPort);
}

function shownValue(value: string | number | undefined): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
