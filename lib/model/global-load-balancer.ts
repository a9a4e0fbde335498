/**
 * A global load balancer spreading users over the clusters' TLS ingress gateways by DNS: external-dns
 * (annotations on each cluster's gateway Service or Route) or k8gb (a `Gslb` in each cluster). One
 * set of rules for `mesh.globalLoadBalancer` and the `TlsGateway` prop.
 */
import type { ValidationIssue } from './mesh-validation-error';
import { EXTERNAL_DNS_ANNOTATION_PREFIXES, isDnsName, LABEL_VALUE } from './names';
import { shown } from './kubernetes-rules';

export type GlobalLoadBalancerProvider = 'external-dns' | 'k8gb';

/**
 * How the name is answered: `weighted` by each cluster's weight; `failover` the primary cluster while
 * healthy, else the others; k8gb only: `roundRobin` every healthy cluster, `geoip` the client's closest.
 */
export type GlobalLoadBalancerPolicy = 'weighted' | 'failover' | 'roundRobin' | 'geoip';

/** A global load balancer over the gateways of several clusters. */
export interface GlobalLoadBalancerSpec {
  /** `external-dns` (Route53 routing policies, one external-dns per cluster) or `k8gb`. */
  readonly provider: GlobalLoadBalancerProvider;
  /** The name users resolve; one of the gateway's hosts, so that its Gateway and certificate serve it. */
  readonly hostname: string;
  /**
   * `weighted` or `failover`; with k8gb also `roundRobin` or `geoip`.
   * @default - weighted (external-dns), roundRobin (k8gb)
   */
  readonly policy?: GlobalLoadBalancerPolicy;
  /**
   * `failover`: the cluster served while it is healthy.
   * @default - none; required with failover
   */
  readonly primary?: string;
  /**
   * `weighted`: cluster -> weight (external-dns: Route53's 0-255; k8gb: its `strategy.weight`).
   * @default - 1 for every gateway cluster
   */
  readonly weights?: Readonly<Record<string, number>>;
  /**
   * external-dns: cluster -> its record's `set-identifier`, unique in the mesh.
   * @default - the cluster name
   */
  readonly setIdentifiers?: Readonly<Record<string, string>>;
  /**
   * k8gb: cluster -> the `clusterGeoTag` its k8gb was installed with (letters, digits, '-').
   * @default - the cluster's region, else its name
   */
  readonly geoTags?: Readonly<Record<string, string>>;
  /**
   * The records' TTL in seconds.
   * @default - the provider's (external-dns: its own default; k8gb: 30)
   */
  readonly ttl?: number;
  /**
   * external-dns: the release running in the clusters, which decides the annotation prefix
   * (`external-dns.alpha.kubernetes.io/` before 0.22, `external-dns.kubernetes.io/` from 0.22).
   * @default "0.22"
   */
  readonly externalDnsVersion?: string;
}

const PROVIDERS: readonly GlobalLoadBalancerProvider[] = ['external-dns', 'k8gb'];
const POLICIES: Readonly<Record<GlobalLoadBalancerProvider, readonly GlobalLoadBalancerPolicy[]>> = {
  'external-dns': ['weighted', 'failover'],
  k8gb: ['roundRobin', 'weighted', 'failover', 'geoip'],
};
/** k8gb's geo tag rule (controllers/resolver/resolver_spec.go). */
const GEO_TAG = /^[a-zA-Z\-\d]+$/;
const EXTERNAL_DNS_VERSION = /^v?(\d+)\.(\d+)(\.\d+)?$/;
/** The external-dns release whose prefix is the default. */
export const DEFAULT_EXTERNAL_DNS_VERSION = '0.22';

/**
 * The JSON Schema of a `globalLoadBalancer` field: its shape and types; `globalLoadBalancerIssues`
 * judges the values (provider and policy included), in the same words for the inventory and the props.
 */
export const GLOBAL_LOAD_BALANCER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'hostname'],
  properties: {
    provider: { type: 'string' },
    hostname: { type: 'string', minLength: 1 },
    policy: { type: 'string' },
    primary: { type: 'string', minLength: 1 },
    weights: { type: 'object', additionalProperties: { type: 'integer' } },
    setIdentifiers: { type: 'object', additionalProperties: { type: 'string' } },
    geoTags: { type: 'object', additionalProperties: { type: 'string' } },
    ttl: { type: 'integer', minimum: 1 },
    externalDnsVersion: { type: 'string' },
  },
} as const;

/** A cluster running the gateway, as these rules read it. */
export interface BalancedCluster {
  readonly name: string;
  readonly region?: string;
}

/**
 * The problems of a global load balancer's values (paths relative to it) over the clusters that run
 * the gateway. Values of the wrong type are skipped (the schema reports them).
 */
export function globalLoadBalancerIssues(spec: Readonly<Record<string, unknown>>, clusters: readonly BalancedCluster[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const provider = spec.provider as GlobalLoadBalancerProvider;
  if (!PROVIDERS.includes(provider)) {
    add('provider', `${shown(spec.provider)} is not external-dns or k8gb`);
    return issues;
  }
  const names = new Set(clusters.map((cluster) => cluster.name));
  const known = `(gateway clusters: ${[...names].join(', ')})`;
  if (typeof spec.hostname === 'string' && !isDnsName(spec.hostname)) add('hostname', `${shown(spec.hostname)} is not a DNS name (no wildcard: one name users resolve)`);
  const policy = (spec.policy ?? defaultPolicy(provider)) as GlobalLoadBalancerPolicy;
  if (!POLICIES[provider].includes(policy)) add('policy', `${shown(spec.policy)} is not a policy of ${provider} (${POLICIES[provider].join(', ')})`);
  if (policy === 'failover') {
    if (spec.primary === undefined) add('primary', 'is missing; failover needs the cluster served while healthy');
    else if (!names.has(spec.primary as string)) add('primary', `${shown(spec.primary)} runs no gateway ${known}`);
    if (provider === 'external-dns' && clusters.length !== 2) {
      add('policy', `failover with external-dns needs exactly 2 gateway clusters (Route53 has one PRIMARY and one SECONDARY record per name), and there are ${clusters.length}; use weighted, or k8gb`);
    }
  } else if (spec.primary !== undefined) add('primary', `is given, but policy ${policy} has no primary cluster`);
  const perCluster = (field: string, check: (value: unknown) => string | undefined) => {
    const map = spec[field];
    if (map === undefined || map === null || typeof map !== 'object') return;
    for (const [cluster, value] of Object.entries(map)) {
      if (!names.has(cluster)) add(`${field}.${cluster}`, `names cluster ${shown(cluster)}, which runs no gateway ${known}`);
      else {
        const problem = check(value);
        if (problem) add(`${field}.${cluster}`, problem);
      }
    }
  };
  if (spec.weights !== undefined && policy !== 'weighted') add('weights', `is given, but policy ${policy} takes no weights`);
  perCluster('weights', (value) => (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 255 ? undefined : `${shown(value)} is not a whole number from 0 to 255`));
  if (spec.setIdentifiers !== undefined && provider !== 'external-dns') add('setIdentifiers', 'is given, but only external-dns records have set identifiers');
  perCluster('setIdentifiers', (value) => (typeof value === 'string' && value !== '' && LABEL_VALUE.test(value) ? undefined : `${shown(value)} is not a set identifier (at most 63 letters, digits, '-', '_' and '.')`));
  const identifiers = new Map<string, string>();
  for (const cluster of clusters) {
    const identifier = setIdentifier(spec as unknown as GlobalLoadBalancerSpec, cluster.name);
    const other = identifiers.get(identifier);
    if (provider === 'external-dns' && other !== undefined) add(`setIdentifiers.${cluster.name}`, `${shown(identifier)} is also the set identifier of cluster ${shown(other)}: Route53 keeps one record per identifier, so one cluster would overwrite the other`);
    identifiers.set(identifier, cluster.name);
  }
  if (spec.geoTags !== undefined && provider !== 'k8gb') add('geoTags', 'is given, but only k8gb reads geo tags');
  perCluster('geoTags', (value) => (typeof value === 'string' && GEO_TAG.test(value) ? undefined : `${shown(value)} is not a k8gb geo tag (letters, digits and '-')`));
  if (provider === 'k8gb') {
    for (const cluster of clusters) {
      const tag = geoTag(spec as unknown as GlobalLoadBalancerSpec, cluster);
      if (!GEO_TAG.test(tag)) add(`geoTags.${cluster.name}`, `is missing, and the default ${shown(tag)} (the region) is not a k8gb geo tag (letters, digits and '-'); give the cluster's clusterGeoTag`);
    }
  }
  if (spec.externalDnsVersion !== undefined) {
    if (provider !== 'external-dns') add('externalDnsVersion', 'is given, but the provider is k8gb');
    else if (typeof spec.externalDnsVersion === 'string' && !EXTERNAL_DNS_VERSION.test(spec.externalDnsVersion)) add('externalDnsVersion', `${shown(spec.externalDnsVersion)} is not a release such as "0.22" or "v0.21.0"`);
  }
  return issues;
}

export function defaultPolicy(provider: GlobalLoadBalancerProvider): GlobalLoadBalancerPolicy {
  return provider === 'k8gb' ? 'roundRobin' : 'weighted';
}

/** A cluster's external-dns set identifier. */
export function setIdentifier(spec: GlobalLoadBalancerSpec, cluster: string): string {
  return spec.setIdentifiers?.[cluster] ?? cluster;
}

/** A cluster's k8gb geo tag. */
export function geoTag(spec: GlobalLoadBalancerSpec, cluster: BalancedCluster): string {
  return spec.geoTags?.[cluster.name] ?? cluster.region ?? cluster.name;
}

/** The annotation prefix of an external-dns release: `external-dns.alpha.kubernetes.io/` before 0.22. */
export function externalDnsAnnotationPrefix(version: string = DEFAULT_EXTERNAL_DNS_VERSION): string {
  const [, major, minor] = EXTERNAL_DNS_VERSION.exec(version) ?? [];
  const [current, beforeGa] = EXTERNAL_DNS_ANNOTATION_PREFIXES;
  return Number(major) === 0 && Number(minor) < 22 ? beforeGa : current;
}

/**
 * The external-dns annotations of one cluster's gateway Service (`withHostname`) or of its Route
 * (whose `spec.host` is the name already): the set identifier, the Route53 routing policy and the TTL.
 */
export function externalDnsAnnotations(spec: GlobalLoadBalancerSpec, cluster: string, withHostname: boolean): Record<string, string> {
  const prefix = externalDnsAnnotationPrefix(spec.externalDnsVersion);
  const policy = spec.policy ?? defaultPolicy(spec.provider);
  return {
    ...(withHostname ? { [`${prefix}hostname`]: spec.hostname } : {}),
    [`${prefix}set-identifier`]: setIdentifier(spec, cluster),
    ...(policy === 'failover' ? { [`${prefix}aws-failover`]: cluster === spec.primary ? 'PRIMARY' : 'SECONDARY' } : { [`${prefix}aws-weight`]: String(spec.weights?.[cluster] ?? 1) }),
    ...(spec.ttl === undefined ? {} : { [`${prefix}ttl`]: String(spec.ttl) }),
  };
}

/** The `strategy` of a k8gb Gslb (`k8gb.io/v1beta1`): weighted is `roundRobin` with weights by geo tag. */
export function k8gbStrategy(spec: GlobalLoadBalancerSpec, clusters: readonly BalancedCluster[]): Record<string, unknown> {
  const policy = spec.policy ?? defaultPolicy(spec.provider);
  const primary = clusters.find((cluster) => cluster.name === spec.primary);
  return {
    type: policy === 'weighted' ? 'roundRobin' : policy,
    ...(policy === 'failover' && primary ? { primaryGeoTag: geoTag(spec, primary) } : {}),
    ...(policy === 'weighted' ? { weight: Object.fromEntries(clusters.map((cluster) => [geoTag(spec, cluster), spec.weights?.[cluster.name] ?? 1])) } : {}),
    ...(spec.ttl === undefined ? {} : { dnsTtlSeconds: spec.ttl }),
  };
}

/**
 * Why a provider cannot balance a gateway exposed so (k8gb needs each cluster's LoadBalancer
 * Service), or undefined. `routeOnly` is a cluster whose gateway only a Route exposes, if any.
 */
export function balancerExposureProblem(provider: unknown, routeOnly: string | undefined): string | undefined {
  if (provider !== 'k8gb' || routeOnly === undefined) return undefined;
  return `of cluster ${shown(routeOnly)} is route, and k8gb resolves a Gslb only through a LoadBalancer Service (its resolver refuses a ClusterIP one); use exposure both, or external-dns`;
}
