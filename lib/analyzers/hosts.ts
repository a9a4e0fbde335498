import { ANY_NAMESPACE } from './label-index';

/**
 * How Istio hosts name Kubernetes Services. The cluster DNS domain is assumed to be `cluster.local`,
 * as in Istio's defaults; the mesh's trust domain does not change it.
 */
const SERVICE_DOMAIN = 'svc.cluster.local';
/** What may follow `name.namespace` in a host that names a Service (the DNS search forms). */
const SERVICE_SUFFIXES: ReadonlySet<string> = new Set(['', 'svc', SERVICE_DOMAIN]);
/** Wildcards that cover every Service of the mesh. */
const MESH_WIDE_WILDCARDS: ReadonlySet<string> = new Set(['*', '*.local', '*.cluster.local', `*.${SERVICE_DOMAIN}`]);

export interface ServiceName {
  readonly namespace: string;
  readonly name: string;
}

/** `namespace/name`: how indexes key Services. */
export function serviceKey(service: ServiceName): string {
  return `${service.namespace}/${service.name}`;
}

/**
 * The Service a host names. A short name resolves in the namespace of the object that uses it;
 * `name.ns`, `name.ns.svc` and `name.ns.svc.cluster.local` resolve as DNS search paths do.
 * Undefined for wildcards and hosts outside the cluster domain.
 */
export function serviceOfHost(host: string, namespace: string): ServiceName | undefined {
  if (host.includes('*')) return undefined;
  const [name, hostNamespace, ...domain] = host.toLowerCase().split('.');
  if (hostNamespace === undefined) return { namespace, name };
  return SERVICE_SUFFIXES.has(domain.join('.')) ? { namespace: hostNamespace, name } : undefined;
}

/** A key equal for every spelling of the same destination: the Service key, or the lower-cased host. */
export function hostKey(host: string, namespace: string): string {
  const service = serviceOfHost(host, namespace);
  return service ? serviceKey(service) : host.toLowerCase();
}

/**
 * The namespace whose Services a host covers: the namespace of the Service it names or of a
 * `*.ns.svc.cluster.local` wildcard; `ANY_NAMESPACE` for mesh-wide wildcards such as `*.local`;
 * undefined for hosts outside the mesh.
 */
export function namespaceOfHost(host: string, namespace: string): string | undefined {
  const lowerHost = host.toLowerCase();
  if (MESH_WIDE_WILDCARDS.has(lowerHost)) return ANY_NAMESPACE;
  const namespaceWildcard = /^\*\.([^.]+)\.svc\.cluster\.local$/.exec(lowerHost);
  return namespaceWildcard ? namespaceWildcard[1] : serviceOfHost(lowerHost, namespace)?.namespace;
}

/** The fully qualified form Istio gives a short host: `reviews` in `bookinfo` -> `reviews.bookinfo.svc.cluster.local`. */
export function qualifiedHost(host: string, namespace: string): string {
  const lowerHost = host.toLowerCase();
  return lowerHost.includes('.') || lowerHost === '*' ? lowerHost : `${lowerHost}.${namespace}.${SERVICE_DOMAIN}`;
}

/** True when two hosts, either possibly a `*` or `*.domain` wildcard, have a name in common (as Istio's `host.Name.Matches`). */
export function hostsOverlap(first: string, second: string): boolean {
  const [a, b] = [first.toLowerCase(), second.toLowerCase()];
  return a === b || wildcardCovers(a, b) || wildcardCovers(b, a);
}

function wildcardCovers(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  return pattern.startsWith('*.') && host.endsWith(pattern.slice(1));
}

/**
 * A Gateway server host `[namespace/]host`. The namespace part limits which namespaces'
 * VirtualServices may bind: `*` any (the default), `.` the Gateway's own.
 */
export function splitGatewayHost(gatewayHost: string, gatewayNamespace: string): { readonly namespace: string; readonly host: string } {
  const slash = gatewayHost.indexOf('/');
  if (slash < 0) return { namespace: ANY_NAMESPACE, host: gatewayHost };
  const namespace = gatewayHost.slice(0, slash);
  return { namespace: namespace === '.' ? gatewayNamespace : namespace, host: gatewayHost.slice(slash + 1) };
}

/**
 * True when a set of lower-cased hosts, possibly wildcards (ServiceEntry hosts), declares a host.
 * Looks up the host and each wildcard above it rather than scanning the set.
 */
export function declaredHostsCover(declaredHosts: ReadonlySet<string>, host: string): boolean {
  const labels = host.toLowerCase().split('.');
  if (declaredHosts.has('*') || declaredHosts.has(labels.join('.'))) return true;
  return labels.some((_, depth) => depth > 0 && declaredHosts.has(`*.${labels.slice(depth).join('.')}`));
}
