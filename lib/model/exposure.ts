/**
 * How a TLS ingress gateway is reached from outside its cluster: its LoadBalancer Service, an
 * OpenShift Route passing TLS through to it, or both. One set of rules for the `TlsGateway` props
 * and the inventory's `bookinfo.gateway`.
 */
import type { ClusterPlatform } from './mesh-spec';
import type { ValidationIssue } from './mesh-validation-error';
import { isDnsName } from './names';
import { shown } from './kubernetes-rules';

/**
 * `loadbalancer`: the gateway's Service is of type LoadBalancer (the default).
 * `route`: an OpenShift Route (`tls.termination: passthrough`) to the Service's `https` port, and the
 * Service is ClusterIP (the router reaches the gateway pods through it; no second way in).
 * `both`: the LoadBalancer Service and the Route.
 */
export type GatewayExposure = 'loadbalancer' | 'route' | 'both';

/** Every `GatewayExposure`, in the order the messages list them. */
export const GATEWAY_EXPOSURES: readonly GatewayExposure[] = ['loadbalancer', 'route', 'both'];

/** One exposure for every gateway cluster, or cluster name -> exposure (clusters not named: `loadbalancer`). */
export type GatewayExposureSpec = GatewayExposure | Readonly<Record<string, GatewayExposure>>;

/**
 * What the router does with plain HTTP on port 80 for a passthrough Route: `None` refuses it,
 * `Redirect` sends it to HTTPS. `Allow` is not possible with passthrough (the Route CRD's CEL rule
 * "cannot have both spec.tls.termination: passthrough and spec.tls.insecureEdgeTerminationPolicy: Allow").
 */
export type RouteInsecurePolicy = 'None' | 'Redirect';

export const ROUTE_INSECURE_POLICIES: readonly RouteInsecurePolicy[] = ['None', 'Redirect'];

/** The default exposure of every gateway cluster. */
export const DEFAULT_GATEWAY_EXPOSURE: GatewayExposure = 'loadbalancer';

/** The default `insecureEdgeTerminationPolicy` of a gateway's Routes (the Route API's own default). */
export const DEFAULT_ROUTE_INSECURE_POLICY: RouteInsecurePolicy = 'None';

/**
 * The JSON Schema of an `exposure` field: its types only, so that `gatewayExposureIssues` explains a
 * wrong value once, in the same words for the inventory and the props.
 */
export const GATEWAY_EXPOSURE_SCHEMA = { anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }] } as const;

/** The JSON Schema of an `insecureEdgeTerminationPolicy` field (its type; the rules judge the value). */
export const ROUTE_INSECURE_POLICY_SCHEMA = { type: 'string' } as const;

/** A cluster a gateway runs in, as the exposure rules read it. */
export interface ExposedCluster {
  readonly name: string;
  readonly platform?: ClusterPlatform | string;
}

/** What the exposure rules judge: the gateway's fields and where it runs. */
export interface GatewayExposureInput {
  readonly exposure?: unknown;
  readonly insecureEdgeTerminationPolicy?: unknown;
  /** The Gateway's hosts, each of which becomes a Route's host. */
  readonly hosts: readonly string[];
  /** The clusters running the gateway. */
  readonly clusters: readonly ExposedCluster[];
}

/**
 * Why a host cannot be an OpenShift Route's `spec.host` (its CRD pattern: DNS-1123 labels, no `_`,
 * no `*`), or undefined when it can.
 */
export function routeHostProblem(host: string): string | undefined {
  if (host.includes('_')) {
    return `Route host ${shown(host)} contains "_", which Route hosts refuse (DNS-1123 labels only): an east-west gateway's AUTO_PASSTHROUGH SNI (outbound_.<port>_._.<host>) does, so east-west gateways stay behind their LoadBalancer or ClusterIP Service`;
  }
  if (host.startsWith('*.')) {
    return `Route host ${shown(host)} is a wildcard, which a Route takes only with wildcardPolicy Subdomain, and OpenShift's default IngressController refuses (routeAdmission.wildcardPolicy WildcardsDisallowed); list the host names, or use exposure loadbalancer`;
  }
  if (!isDnsName(host)) return `Route host ${shown(host)} is not a DNS name (at most 253 characters of DNS-1123 labels)`;
  return undefined;
}

/**
 * The problems of a gateway's exposure fields, with paths relative to the gateway's (`exposure`,
 * `exposure.<cluster>`, `insecureEdgeTerminationPolicy`). Fields of the wrong type are skipped.
 */
export function gatewayExposureIssues(input: GatewayExposureInput): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const byName = new Map(input.clusters.map((cluster) => [cluster.name, cluster]));
  const entries: [string, string, unknown][] = [];
  if (typeof input.exposure === 'string') {
    entries.push(...input.clusters.map((cluster): [string, string, unknown] => ['exposure', cluster.name, input.exposure]));
  } else if (isRecord(input.exposure)) {
    for (const [cluster, value] of Object.entries(input.exposure)) {
      if (!byName.has(cluster)) add(`exposure.${cluster}`, `names cluster ${shown(cluster)}, which runs no gateway (gateway clusters: ${input.clusters.map((c) => c.name).join(', ')})`);
      else entries.push([`exposure.${cluster}`, cluster, value]);
    }
  }
  let routed = false;
  for (const [path, cluster, value] of entries) {
    if (!GATEWAY_EXPOSURES.includes(value as GatewayExposure)) {
      add(path, `${shown(value)} is not ${GATEWAY_EXPOSURES.join(', ')}`);
      continue;
    }
    if (value === 'loadbalancer') continue;
    routed = true;
    const platform = byName.get(cluster)?.platform ?? 'kubernetes';
    if (platform !== 'openshift') {
      add(path, `${value} needs an OpenShift cluster (route.openshift.io/v1 Routes exist only there), and cluster ${shown(cluster)} has platform ${platform}; expose it by loadbalancer, or set exposure by cluster ({ <openshift-cluster>: ${value} })`);
    }
  }
  if (routed && issues.length === 0) {
    const problem = input.hosts.map(routeHostProblem).find((found) => found !== undefined);
    if (problem) add('exposure', problem);
  }
  const policy = input.insecureEdgeTerminationPolicy;
  if (policy !== undefined) {
    if (!ROUTE_INSECURE_POLICIES.includes(policy as RouteInsecurePolicy)) {
      add('insecureEdgeTerminationPolicy', `${shown(policy)} is not None or Redirect${policy === 'Allow' ? ': the Route passes TLS through, and the Route API refuses passthrough with Allow' : ''}`);
    } else if (!routed) {
      add('insecureEdgeTerminationPolicy', 'is given, but no cluster exposes the gateway through a Route (exposure route or both)');
    }
  }
  return issues;
}

/** A checked exposure spec, resolved for each gateway cluster (`loadbalancer` where none is given). */
export function resolveGatewayExposure(exposure: GatewayExposureSpec | undefined, clusters: readonly string[]): ReadonlyMap<string, GatewayExposure> {
  return new Map(clusters.map((cluster) => [cluster, (typeof exposure === 'string' ? exposure : exposure?.[cluster]) ?? DEFAULT_GATEWAY_EXPOSURE]));
}

/** Whether an exposure puts a Route in front of the gateway. */
export function exposedByRoute(exposure: GatewayExposure): boolean {
  return exposure !== 'loadbalancer';
}

/** Whether an exposure keeps the gateway's LoadBalancer Service. */
export function exposedByLoadBalancer(exposure: GatewayExposure): boolean {
  return exposure !== 'route';
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
