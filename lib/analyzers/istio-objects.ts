import type { Manifest } from '../manifest/mesh-manifests';
import { integer, list, record, stringMap, strings, text } from '../manifest/fields';
import type { Labels } from '../manifest/fields';

/*
 * Readers of the Istio spec fields the analyzers look at, tolerant of hand-written YAML.
 */

function spec(manifest: Manifest): Readonly<Record<string, unknown>> {
  return record(manifest.spec);
}

export interface GatewayServer {
  readonly portNumber?: number;
  /** `port.protocol`, upper-cased (`HTTPS`, `TLS`, ...). */
  readonly protocol?: string;
  readonly hosts: readonly string[];
  /** `tls.credentialName` and `tls.credentialNames`: Secrets read in the gateway workload's namespace. */
  readonly credentialNames: readonly string[];
}

export function gatewaySelector(gateway: Manifest): Labels {
  return stringMap(spec(gateway).selector);
}

export function gatewayServers(gateway: Manifest): readonly GatewayServer[] {
  return list(spec(gateway).servers).map((item) => {
    const server = record(item);
    const tls = record(server.tls);
    return {
      portNumber: integer(record(server.port).number),
      protocol: text(record(server.port).protocol)?.toUpperCase(),
      hosts: strings(server.hosts),
      credentialNames: [...strings([tls.credentialName]), ...strings(tls.credentialNames)],
    };
  });
}

/** The reserved gateway name that binds a VirtualService to the sidecars. */
export const MESH_GATEWAY = 'mesh';

export function virtualServiceHosts(virtualService: Manifest): readonly string[] {
  return strings(spec(virtualService).hosts);
}

/** `spec.gateways`: `name`, `namespace/name` or `mesh`. */
export function virtualServiceGateways(virtualService: Manifest): readonly string[] {
  return strings(spec(virtualService).gateways);
}

/** The `namespace/name` key of a VirtualService's gateway reference, `name` meaning the VirtualService's namespace. */
export function gatewayRefKey(gatewayRef: string, virtualServiceNamespace: string): string {
  return gatewayRef.includes('/') ? gatewayRef : `${virtualServiceNamespace}/${gatewayRef}`;
}

export interface Destination {
  readonly host: string;
  readonly subset?: string;
  /** `port.number`: the Service port traffic goes to, when the destination names one. */
  readonly port?: number;
}

/** Every destination traffic may go to: http/tcp/tls route destinations and http mirrors. */
export function virtualServiceDestinations(virtualService: Manifest): readonly Destination[] {
  const { http, tcp, tls } = spec(virtualService);
  const routes = [...list(http), ...list(tcp), ...list(tls)].map(record);
  const routed = routes.flatMap((route) => list(route.route).map((item) => record(item).destination));
  const mirrored = routes.flatMap((route) => [route.mirror, ...list(route.mirrors).map((item) => record(item).destination)]);
  return [...routed, ...mirrored].flatMap((item) => {
    const destination = record(item);
    const host = text(destination.host);
    return host ? [{ host, subset: text(destination.subset), port: integer(record(destination.port).number) }] : [];
  });
}

export function destinationRuleHost(destinationRule: Manifest): string | undefined {
  return text(spec(destinationRule).host);
}

export interface Subset {
  readonly name: string;
  readonly labels: Labels;
}

export function destinationRuleSubsets(destinationRule: Manifest): readonly Subset[] {
  return list(spec(destinationRule).subsets).flatMap((item) => {
    const subset = record(item);
    const name = text(subset.name);
    return name ? [{ name, labels: stringMap(subset.labels) }] : [];
  });
}

/** Every client TLS mode the rule sets: top level, per port, and in each subset. */
export function destinationRuleTlsModes(destinationRule: Manifest): readonly string[] {
  const { trafficPolicy, subsets } = spec(destinationRule);
  const policies = [trafficPolicy, ...list(subsets).map((subset) => record(subset).trafficPolicy)].map(record);
  const tlsSettings = policies.flatMap((policy) => [policy.tls, ...list(policy.portLevelSettings).map((port) => record(port).tls)]);
  return tlsSettings.flatMap((tls) => text(record(tls).mode) ?? []);
}

export function serviceEntryHosts(serviceEntry: Manifest): readonly string[] {
  return strings(spec(serviceEntry).hosts);
}

/** True for a PeerAuthentication that applies to a whole namespace (or the mesh, in the root namespace). */
export function isNamespaceWide(peerAuthentication: Manifest): boolean {
  return Object.keys(stringMap(record(spec(peerAuthentication).selector).matchLabels)).length === 0;
}

/** `spec.mtls.mode`, undefined when unset (inherited from the enclosing scope). */
export function peerAuthenticationMode(peerAuthentication: Manifest): string | undefined {
  const mode = text(record(spec(peerAuthentication).mtls).mode);
  return mode === 'UNSET' ? undefined : mode;
}
