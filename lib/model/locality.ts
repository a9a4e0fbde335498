/**
 * Zone-aware routing: each cluster's locality, the mesh-wide policy, and what Istio reads of them
 * (MeshConfig `localityLbSetting` and `serviceSettings`, a DestinationRule's `loadBalancer` and
 * `outlierDetection`). Install values, Istio CRs and DestinationRules all render from here.
 */
import type { Mesh } from './mesh';
import type {
  ClusterSpec,
  LocalityDistributeSpec,
  LocalityFailoverSpec,
  LocalityMode,
  LocalitySpec,
  MeshSpec,
  OutlierDetectionSpec,
  ServiceLocalitySpec,
} from './mesh-spec';
import { istioDurationProblem } from './go-duration';
import type { ValidationIssue } from './mesh-validation-error';
import { DNS1123_LABEL, LABEL_VALUE, LABELS, TOPOLOGY_LABELS, localityLabelValue, namespaceHosts, serviceHost } from './names';

/** The mesh-wide locality policy, with every default applied. */
export interface Locality {
  readonly mode: LocalityMode;
  /** Whether the install values carry a policy: the inventory sets `mesh.locality` or a cluster names a region. */
  readonly configured: boolean;
  readonly failoverPriority: readonly string[];
  readonly failover: readonly LocalityFailoverSpec[];
  readonly distribute: readonly LocalityDistributeSpec[];
  readonly outlierDetection: Required<OutlierDetectionSpec>;
  /** MeshConfig `serviceSettings` hosts kept inside each cluster, from `mesh.locality.clusterLocal`. */
  readonly clusterLocalHosts: readonly string[];
}

/** Documented in README.md; maxEjectionPercent 100 lets a whole locality be ejected, so traffic fails over. */
export const DEFAULT_OUTLIER_DETECTION: Required<OutlierDetectionSpec> = Object.freeze({
  consecutive5xxErrors: 5,
  interval: '10s',
  baseEjectionTime: '30s',
  maxEjectionPercent: 100,
});

/** `localityLbSetting` as Istio reads it (MeshConfig and DestinationRule alike). */
export interface LocalityLbSetting {
  readonly enabled: boolean;
  // Mutable arrays, as the generated Istio classes take them; every call builds fresh ones.
  readonly failover?: { readonly from: string; readonly to: string }[];
  readonly failoverPriority?: string[];
  readonly distribute?: { readonly from: string; readonly to: Record<string, number> }[];
}

/** The part of a DestinationRule's `trafficPolicy` locality decides. */
export interface LocalityTrafficPolicy {
  readonly loadBalancer?: { readonly localityLbSetting: LocalityLbSetting };
  readonly outlierDetection?: Required<OutlierDetectionSpec>;
}

/** The region, zone and subzone a cluster names, in order, up to the first it leaves out. */
export function localityParts(cluster: Pick<ClusterSpec, 'region' | 'zone' | 'subzone'>): string[] {
  const parts: string[] = [];
  for (const part of [cluster.region, cluster.zone, cluster.subzone]) {
    if (part === undefined) break;
    parts.push(part);
  }
  return parts;
}

/** The pod labels of a cluster's workloads and gateways: the locality override, when the cluster uses it. */
export function localityPodLabels(cluster: ClusterSpec): Readonly<Record<string, string>> {
  const parts = localityParts(cluster);
  return parts.length > 0 && cluster.localityLabel !== false ? { [LABELS.locality]: localityLabelValue(parts) } : {};
}

/** Resolves `mesh.locality` against the clusters. */
export function resolveLocality(spec: MeshSpec): Locality {
  const locality = spec.mesh?.locality;
  const namesRegion = spec.clusters.some((cluster) => cluster.region !== undefined);
  const clusterLocal = locality?.clusterLocal;
  return Object.freeze({
    mode: locality?.mode ?? defaultMode(locality, namesRegion),
    configured: locality !== undefined || namesRegion,
    failoverPriority: locality?.failoverPriority ?? [],
    failover: locality?.failover ?? [],
    distribute: locality?.distribute ?? [],
    outlierDetection: { ...DEFAULT_OUTLIER_DETECTION, ...locality?.outlierDetection },
    clusterLocalHosts: [
      ...(clusterLocal?.namespaces ?? []).map(namespaceHosts),
      ...(clusterLocal?.services ?? []).map((service) => {
        const [name, namespace] = service.split('.');
        return serviceHost(name, namespace);
      }),
    ],
  });
}

function defaultMode(policy: ServiceLocalitySpec | undefined, namesRegion: boolean): LocalityMode {
  if (policy?.failover !== undefined) return 'failover';
  if (policy?.distribute !== undefined) return 'distribute';
  return namesRegion ? 'failover' : 'off';
}

/** A service's mode: its own, else what its own fields imply, else the mesh's. */
function serviceMode(mesh: LocalityMode, override: ServiceLocalitySpec | undefined): LocalityMode {
  if (override?.mode !== undefined) return override.mode;
  if (override?.failover !== undefined) return 'failover';
  if (override?.distribute !== undefined) return 'distribute';
  return mesh;
}

function lbSetting(mode: LocalityMode, policy: Pick<Locality, 'failover' | 'failoverPriority' | 'distribute'>): LocalityLbSetting {
  switch (mode) {
    case 'off':
      return { enabled: false };
    case 'distribute':
      return { enabled: true, distribute: policy.distribute.map(({ from, to }) => ({ from, to: { ...to } })) };
    case 'failover':
      return {
        enabled: true,
        ...(policy.failover.length > 0 ? { failover: policy.failover.map(({ from, to }) => ({ from, to })) } : {}),
        ...(policy.failoverPriority.length > 0 ? { failoverPriority: [...policy.failoverPriority] } : {}),
      };
  }
}

/**
 * The MeshConfig keys of zone-aware routing: `localityLbSetting` (the policy of every service no
 * DestinationRule overrides) and `serviceSettings` (the cluster-local hosts of the model and of
 * the constructs). Empty for a mesh that names no region and sets no policy.
 */
export function localityMeshConfig(mesh: Mesh, clusterLocalHosts: readonly string[] = []): Record<string, unknown> {
  const locality = mesh.locality;
  const hosts = [...new Set([...locality.clusterLocalHosts, ...clusterLocalHosts])].sort();
  return {
    ...(locality.configured ? { localityLbSetting: lbSetting(locality.mode, locality) } : {}),
    ...(hosts.length > 0 ? { serviceSettings: [{ settings: { clusterLocal: true }, hosts }] } : {}),
  };
}

/**
 * The locality part of the DestinationRule of a service whose workloads run in `clusters`:
 * nothing when they share one locality (there is nowhere to fail over to); otherwise the
 * effective `localityLbSetting`, and while failover is on the mesh's `outlierDetection`, without
 * which Istio never fails over.
 */
export function serviceTrafficPolicy(mesh: Mesh, clusters: readonly string[], override?: ServiceLocalitySpec): LocalityTrafficPolicy | undefined {
  const localities = new Set(clusters.map((name) => mesh.cluster(name).locality ?? ''));
  if (localities.size < 2) return undefined;
  const meshPolicy = mesh.locality;
  const mode = serviceMode(meshPolicy.mode, override);
  if (mode === 'off' && meshPolicy.mode === 'off') return undefined;
  const setting = lbSetting(mode, {
    failover: override?.failover ?? meshPolicy.failover,
    distribute: override?.distribute ?? meshPolicy.distribute,
    failoverPriority: meshPolicy.failoverPriority,
  });
  return {
    loadBalancer: { localityLbSetting: setting },
    ...(mode === 'failover' ? { outlierDetection: { ...meshPolicy.outlierDetection } } : {}),
  };
}

type AddIssue = (path: string, message: string) => void;

/**
 * The locality rules of a spec whose shape is sound, beyond a zone's need for a region (checked
 * with the other per-cluster rules): clusters and `mesh.locality`. An application's overrides are
 * checked by `appLocalityIssues`.
 */
export function localityIssues(spec: MeshSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add: AddIssue = (path, message) => issues.push({ path, message });
  spec.clusters.forEach((cluster, index) => checkClusterLocality(cluster, `clusters[${index}]`, add));
  const meshPolicy = spec.mesh?.locality;
  if (meshPolicy) {
    const { mode, regions } = specPolicyContext(spec);
    checkMeshPolicy(meshPolicy, mode, regions, add);
  }
  return issues;
}

/** What a service's policy is checked against in a spec whose shape is sound (before the model is built). */
export function specPolicyContext(spec: MeshSpec): PolicyContext {
  const regions = [...new Set(spec.clusters.flatMap((cluster) => (cluster.region === undefined ? [] : [cluster.region])))];
  const meshPolicy = spec.mesh?.locality;
  const mode = meshPolicy?.mode ?? defaultMode(meshPolicy, regions.length > 0);
  return { mode, regions, failoverPriority: meshPolicy?.failoverPriority ?? [], distribute: meshPolicy?.distribute };
}

/** An application's locality settings: per-service policies and the services kept inside each cluster. */
export interface AppLocalitySpec {
  readonly locality?: Readonly<Record<string, ServiceLocalitySpec>>;
  readonly clusterLocal?: boolean | readonly string[];
}

/**
 * The locality rules of an application's section at field path `at` (such as an inventory's
 * `bookinfo`): each override names one of `serviceNames` and is a sound policy in `context`, and
 * each cluster-local service is one of `serviceNames`.
 */
export function appLocalityIssues(app: AppLocalitySpec, at: string, serviceNames: readonly string[], context: PolicyContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add: AddIssue = (path, message) => issues.push({ path, message });
  const unknownService = (service: string) => `unknown service "${service}" (expected one of: ${serviceNames.join(', ')})`;
  const known = new Set(serviceNames);
  for (const [service, policy] of Object.entries(app.locality ?? {})) {
    const path = `${at}.locality.${service}`;
    if (!known.has(service)) add(path, unknownService(service));
    issues.push(...servicePolicyIssues(policy, path, context));
  }
  if (Array.isArray(app.clusterLocal)) {
    app.clusterLocal.forEach((service, index) => {
      if (!known.has(service)) add(`${at}.clusterLocal[${index}]`, unknownService(service));
    });
  }
  return issues;
}

function checkClusterLocality(cluster: ClusterSpec, at: string, add: AddIssue): void {
  if (cluster.subzone !== undefined && cluster.zone === undefined) add(`${at}.subzone`, 'needs a zone (locality is region/zone/subzone)');
  if (cluster.localityLabel === true && cluster.region === undefined) add(`${at}.localityLabel`, 'needs a region: the label carries the cluster\'s region, zone and subzone');
  const labelled = cluster.localityLabel !== false;
  for (const field of ['region', 'zone', 'subzone'] as const) {
    const value = cluster[field];
    if (value === undefined) continue;
    if (value.includes('/') || value.includes('*')) add(`${at}.${field}`, `"${value}" must not contain '/' or '*' (Istio separates region, zone and subzone with '/', and reads '*' as a wildcard)`);
    else if (value === '' || !LABEL_VALUE.test(value)) {
      add(`${at}.${field}`, `"${value}" is not a Kubernetes label value, as the topology labels Istio reads are (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`);
    } else if (labelled && value.includes('.')) {
      add(`${at}.${field}`, `"${value}" cannot go into the ${LABELS.locality} pod label, where '.' separates region, zone and subzone; rename it, or set localityLabel: false when the cluster's nodes carry topology labels`);
    }
  }
  const value = localityLabelValue(localityParts(cluster));
  if (labelled && value.length > 63) add(`${at}.region`, `the ${LABELS.locality} label value "${value}" is ${value.length} characters long; a label value has at most 63`);
}

function checkMeshPolicy(policy: LocalitySpec, mode: LocalityMode, regions: readonly string[], add: AddIssue): void {
  const at = 'mesh.locality';
  if (mode === 'failover' && regions.length === 0) add(`${at}.mode`, 'failover needs clusters that name a region (clusters[].region)');
  if (policy.failoverPriority !== undefined && mode !== 'failover') add(`${at}.failoverPriority`, `is only used with mode: failover (mode is ${mode})`);
  servicePolicyIssues(policy, at, { mode, regions, failoverPriority: policy.failoverPriority ?? [] }).forEach((issue) => add(issue.path, issue.message));
  checkOutlierDetection(policy.outlierDetection, `${at}.outlierDetection`, add);
  const clusterLocal = policy.clusterLocal;
  clusterLocal?.namespaces?.forEach((namespace, index) => {
    if (!DNS1123_LABEL.test(namespace)) add(`${at}.clusterLocal.namespaces[${index}]`, `"${namespace}" is not a DNS-1123 label`);
  });
  clusterLocal?.services?.forEach((service, index) => {
    const parts = service.split('.');
    if (parts.length !== 2 || !parts.every((part) => DNS1123_LABEL.test(part))) {
      add(`${at}.clusterLocal.services[${index}]`, `"${service}" is not <name>.<namespace> (two DNS-1123 labels)`);
    }
  });
}

function checkOutlierDetection(outlier: OutlierDetectionSpec | undefined, at: string, add: AddIssue): void {
  for (const field of ['interval', 'baseEjectionTime'] as const) {
    const value = outlier?.[field];
    const problem = value === undefined ? undefined : istioDurationProblem(value);
    if (problem) add(`${at}.${field}`, problem);
  }
}

/** What a service's policy is checked against: the mesh's mode and policy, and the regions clusters name. */
export interface PolicyContext {
  readonly mode: LocalityMode;
  readonly regions: readonly string[];
  readonly failoverPriority: readonly string[];
  /** The mesh's weights, which a service in `distribute` mode inherits. */
  readonly distribute?: readonly LocalityDistributeSpec[];
}

/** What a service's policy in this mesh is checked against. */
export function meshPolicyContext(mesh: Mesh): PolicyContext {
  const { mode, failoverPriority, distribute } = mesh.locality;
  const regions = [...new Set(mesh.clusters.flatMap((cluster) => (cluster.region === undefined ? [] : [cluster.region])))];
  return { mode, regions, failoverPriority, distribute };
}

/** The issues of one locality policy (the mesh's or a service's), at field path `at`. */
export function servicePolicyIssues(policy: ServiceLocalitySpec, at: string, context: PolicyContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add: AddIssue = (path, message) => issues.push({ path, message });
  const mode = serviceMode(context.mode, policy);
  if (policy.failover !== undefined && mode !== 'failover') add(`${at}.failover`, `is only used with mode: failover (mode is ${mode})`);
  if (policy.distribute !== undefined && mode !== 'distribute') add(`${at}.distribute`, `is only used with mode: distribute (mode is ${mode})`);
  if (mode === 'distribute' && (policy.distribute ?? context.distribute ?? []).length === 0) add(`${at}.mode`, 'distribute needs weights (distribute: [{from, to}])');
  const topologyPriority = context.failoverPriority.find((label) => (Object.values(TOPOLOGY_LABELS) as string[]).includes(label));
  if (policy.failover !== undefined && topologyPriority !== undefined) {
    add(`${at}.failover`, `cannot be combined with failoverPriority label "${topologyPriority}" (Istio rejects region failover with topology labels in failoverPriority)`);
  }
  policy.failover?.forEach(({ from, to }, index) => {
    const path = `${at}.failover[${index}]`;
    if (from === to) add(path, `fails over from region "${from}" to itself; name another region`);
    for (const [field, region] of [['from', from], ['to', to]] as const) {
      if (!context.regions.includes(region)) add(`${path}.${field}`, `"${region}" is no cluster's region (expected one of: ${context.regions.join(', ') || 'none: no cluster names a region'})`);
    }
  });
  policy.distribute?.forEach(({ from, to }, index) => {
    const path = `${at}.distribute[${index}]`;
    const fromIssue = localityPatternIssue(from);
    if (fromIssue) add(`${path}.from`, fromIssue);
    for (const locality of Object.keys(to)) {
      const issue = localityPatternIssue(locality);
      if (issue) add(`${path}.to`, issue);
    }
    const total = Object.values(to).reduce((sum, weight) => sum + weight, 0);
    if (total !== 100) add(`${path}.to`, `weights sum to ${total}; they must sum to 100`);
    // Istio reads `to` as a map, in no fixed order: an overlap in either order is refused some time.
    const targets = Object.keys(to);
    targets.forEach((later, index) => {
      const earlier = targets.slice(0, index).find((other) => localitiesOverlap(other, later) || localitiesOverlap(later, other));
      if (earlier !== undefined) add(`${path}.to`, `"${later}" overlaps "${earlier}"; Istio refuses weights for overlapping localities`);
    });
  });
  const sources = (policy.distribute ?? []).map(({ from }) => from);
  sources.forEach((later, index) => {
    const earlier = sources.findIndex((other, otherIndex) => otherIndex < index && localitiesOverlap(other, later));
    if (earlier !== -1) add(`${at}.distribute[${index}].from`, `"${later}" overlaps distribute[${earlier}].from "${sources[earlier]}"; Istio refuses a source locality that an earlier one covers`);
  });
  return issues;
}

/**
 * Whether Istio's `validateLocalities` (istio/istio 1.30.3 `pkg/config/validation/agent/validation.go`)
 * refuses `later` when `earlier` comes before it in the list: the same locality, one that covers
 * the other (`us-east` or `us-east/*` before `us-east/z1`, and `us-east/z1` before `us-east`), or
 * anything after `*`. Istio keeps, per region and zone, what earlier entries took; this is that
 * check for one earlier entry, and Istio refuses a list where it holds for any pair in order.
 */
function localitiesOverlap(earlier: string, later: string): boolean {
  if (earlier === '*') return true;
  // strings.SplitN(locality, "/", 3)
  const split = (locality: string) => {
    const [region, zone, ...subzone] = locality.split('/');
    return { region, zone, subzone: subzone.length > 0 ? subzone.join('/') : undefined };
  };
  const a = split(earlier);
  const b = split(later);
  if (a.region !== b.region) return false;
  if (b.zone === undefined) return true;
  // An earlier region, or region/*, takes every zone of the region.
  if (a.zone === undefined || a.zone === '*') return true;
  if (a.zone !== b.zone) return false;
  if (b.subzone === undefined) return true;
  return a.subzone === undefined || a.subzone === '*' || a.subzone === b.subzone;
}

/** Upstream's rules for a `distribute` locality: up to three non-empty parts, at most one `*`, at the end. */
function localityPatternIssue(locality: string): string | undefined {
  const parts = locality.split('/');
  const wildcards = (locality.match(/\*/g) ?? []).length;
  if (parts.length > 3 || parts.some((part) => part === '')) return `"${locality}" is not region[/zone[/subzone]]`;
  if (wildcards > 1 || (wildcards === 1 && !locality.endsWith('*'))) return `"${locality}" may hold one '*', at its end`;
  return undefined;
}
