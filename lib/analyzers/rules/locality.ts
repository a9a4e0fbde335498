import { integer, type Labels, list, record, text } from '../../manifest/fields';
import { serviceSelector } from '../../manifest/kube-objects';
import type { Located } from '../../manifest/located';
import type { Manifest } from '../../manifest/mesh-manifests';
import { APP_ANNOTATIONS, LABELS, POD_LOCALITY_LABELS } from '../../model/names';
import type { Analyzer } from '../analyzer';
import { calledHosts } from '../calls-annotation';
import { findingOn } from '../finding';
import { serviceKey, type ServiceName, serviceOfHost } from '../hosts';
import { clusterNetworks, type MeshIndex, serviceOfDestinationRule, type Workload } from '../mesh-index';

/*
 * Zone-aware routing: what Istio reads of localities from pod labels and DestinationRules, and the
 * ways it silently does something else than the configuration says.
 */

/** A pod's locality override as Istio reads it (`GetLocalityLabel` + `SanitizeLocalityLabel`, 1.30): `region/zone/subzone`. */
export function podLocality(labels: Labels): string | undefined {
  const value = POD_LOCALITY_LABELS.map((key) => labels[key]).find((label) => label !== undefined && label !== '');
  if (value === undefined) return undefined;
  return value.includes('/') ? value : value.replace(/\./g, '/');
}

interface LocalityPolicy {
  /** Where the rule says it: `trafficPolicy` or `subsets[<name>].trafficPolicy`. */
  readonly at: string;
  readonly localityLbSetting?: Readonly<Record<string, unknown>>;
  readonly hasOutlierDetection: boolean;
}

/** The locality settings in force for the whole rule and for each subset (a subset's own, else the rule's). */
function localityPolicies(rule: Manifest): LocalityPolicy[] {
  const spec = record(rule.spec);
  const top = record(spec.trafficPolicy);
  const settingOf = (policy: Readonly<Record<string, unknown>>) => {
    const loadBalancer = record(policy.loadBalancer);
    return 'localityLbSetting' in loadBalancer ? record(loadBalancer.localityLbSetting) : undefined;
  };
  const topSetting = settingOf(top);
  const policies: LocalityPolicy[] = [{ at: 'trafficPolicy', localityLbSetting: topSetting, hasOutlierDetection: 'outlierDetection' in top }];
  for (const item of list(spec.subsets)) {
    const subset = record(item);
    const own = record(subset.trafficPolicy);
    const ownSetting = settingOf(own);
    if (ownSetting === undefined && !('outlierDetection' in own)) continue;
    policies.push({
      at: `subsets[${text(subset.name) ?? '?'}].trafficPolicy`,
      localityLbSetting: ownSetting ?? topSetting,
      hasOutlierDetection: 'outlierDetection' in own || 'outlierDetection' in top,
    });
  }
  return policies;
}

/** Failover is on for a setting that is not disabled and does not distribute by weights. */
function failsOver(setting: Readonly<Record<string, unknown>>): boolean {
  return setting.enabled !== false && list(setting.distribute).length === 0;
}

/**
 * MCL0030: a DestinationRule turns locality load balancing or failover on without
 * `outlierDetection`. Istio (1.30 `getOutlierDetectionAndLoadBalancerSettings`) then never
 * moves traffic off an unhealthy locality: failover silently does not happen.
 */
const failoverWithoutOutlierDetection: Analyzer = {
  codes: ['MCL0030'],
  name: 'Locality failover has outlier detection',
  analyze: (index) =>
    index.destinationRules.flatMap((rule) =>
      localityPolicies(rule.manifest)
        .filter((policy) => policy.localityLbSetting !== undefined && failsOver(policy.localityLbSetting) && !policy.hasOutlierDetection)
        .map((policy) =>
          findingOn(rule, {
            code: 'MCL0030',
            severity: 'error',
            message: `${policy.at} turns locality load balancing on without outlierDetection: Istio never fails over without it`,
            hint: 'add trafficPolicy.outlierDetection (e.g. consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100), or set localityLbSetting.enabled: false',
          }),
        ),
    ),
};

/** MCL0031: `distribute` weights of one caller locality that do not sum to 100 (Istio rejects the rule). */
const distributeWeights: Analyzer = {
  codes: ['MCL0031'],
  name: 'Locality weights sum to 100',
  analyze: (index) =>
    index.destinationRules.flatMap((rule) =>
      localityPolicies(rule.manifest).flatMap((policy) =>
        list(policy.localityLbSetting?.distribute).flatMap((item) => {
          const entry = record(item);
          const weights = Object.values(record(entry.to)).map((weight) => integer(weight) ?? 0);
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          if (total === 100) return [];
          return [
            findingOn(rule, {
              code: 'MCL0031',
              severity: 'error',
              message: `${policy.at} distributes traffic from "${text(entry.from) ?? '?'}" with weights summing to ${total}, not 100`,
              hint: 'make the weights of each distribute entry sum to 100',
            }),
          ];
        }),
      ),
    ),
};

/** The workloads behind a Service in every cluster; empty when no cluster defines it. */
function endpointsOf(index: MeshIndex, service: ServiceName): Workload[] {
  const definition = index.servicesByKey.get(serviceKey(service))?.[0];
  return definition ? index.workloadsByLabels.select(service.namespace, serviceSelector(definition.manifest)) : [];
}

/**
 * MCL0032: a DestinationRule fails over to a region where no cluster runs an endpoint of its
 * service: when the caller's region fails, traffic has nowhere to go. Only judged when every
 * endpoint's locality is known from its pod labels (node labels are not in the manifests).
 */
const failoverTargetWithoutEndpoints: Analyzer = {
  codes: ['MCL0032'],
  name: 'Failover regions have endpoints',
  analyze: (index) =>
    index.destinationRules.flatMap((rule) => {
      const service = serviceOfDestinationRule(rule);
      if (service === undefined) return [];
      const localities = endpointsOf(index, service).map((workload) => podLocality(workload.pods.labels));
      if (localities.length === 0 || localities.includes(undefined)) return [];
      const regions = new Set(localities.map((locality) => locality!.split('/')[0]));
      return localityPolicies(rule.manifest).flatMap((policy) =>
        list(policy.localityLbSetting?.failover)
          .flatMap((item) => text(record(item).to) ?? [])
          .filter((region) => !regions.has(region))
          .map((region) =>
            findingOn(rule, {
              code: 'MCL0032',
              severity: 'error',
              message: `${policy.at} fails over to region "${region}", where no cluster runs an endpoint of ${serviceKey(service)} (its endpoints are in: ${[...regions].sort().join(', ')})`,
              hint: 'fail over to a region that runs the service, or place a workload of it in a cluster of that region',
            }),
          ),
      );
    }),
};

/**
 * MCL0033: a workload calls a cluster-local Service (`mesh.cdk8s.io/cluster-local`, mirroring
 * MeshConfig `serviceSettings[].settings.clusterLocal`) that its own cluster does not run: Istio
 * shows it only the endpoints of its own cluster, so the calls fail.
 */
const clusterLocalCalledElsewhere: Analyzer = {
  codes: ['MCL0033'],
  name: 'Cluster-local services run where they are called',
  analyze: (index) => {
    const clusterLocal = new Set(
      [...index.servicesByKey].filter(([, copies]) => copies.some((copy) => copy.manifest.metadata.annotations?.[APP_ANNOTATIONS.clusterLocal] === 'true')).map(([key]) => key),
    );
    if (clusterLocal.size === 0) return [];
    return index.workloads.flatMap((workload) =>
      calledHosts(workload.pods.annotations)
        .flatMap((host) => serviceOfHost(host, workload.namespace) ?? [])
        .filter((service) => clusterLocal.has(serviceKey(service)))
        .filter((service) => !endpointsOf(index, service).some((endpoint) => endpoint.located.cluster === workload.located.cluster))
        .map((service) =>
          findingOn(workload.located, {
            code: 'MCL0033',
            severity: 'error',
            message: `calls ${serviceKey(service)}, which is cluster-local (${APP_ANNOTATIONS.clusterLocal}), but cluster ${workload.located.cluster} runs none of its endpoints`,
            hint: `run a workload of ${serviceKey(service)} in cluster ${workload.located.cluster}, or do not keep the service cluster-local`,
          }),
        ),
    );
  },
};

/** MCL0034: a locality pod label that names a zone without a region, or a subzone without a zone: Istio reads them as empty. */
const zoneWithoutRegion: Analyzer = {
  codes: ['MCL0034'],
  name: 'Localities name a region before a zone',
  analyze: (index) =>
    index.workloads.flatMap((workload) => {
      const locality = podLocality(workload.pods.labels);
      if (locality === undefined) return [];
      const [region = '', zone = '', subzone = ''] = locality.split('/');
      const missing = region === '' && (zone !== '' || subzone !== '') ? 'region' : zone === '' && subzone !== '' ? 'zone' : undefined;
      if (missing === undefined) return [];
      return [
        findingOn(workload.located, {
          code: 'MCL0034',
          severity: 'error',
          message: `its pods' locality "${locality}" has no ${missing}: Istio matches localities region first, so failover and weights ignore the rest`,
          hint: `label the pods ${LABELS.locality}: <region>.<zone>.<subzone> with every part up to the last one given`,
        }),
      ];
    }),
};

/**
 * MCL0035: two clusters whose pods claim the same locality sit on different networks. Istio ranks
 * endpoints by locality alone, so the other network's endpoints rank with the local ones: traffic
 * crosses the east-west gateways while local endpoints are healthy, and losing the gateway drops
 * requests that should have stayed home.
 */
const sameLocalityOnTwoNetworks: Analyzer = {
  codes: ['MCL0035'],
  name: 'A locality spans one network',
  analyze: (index) => {
    const firstPodByLocality = new Map<string, Map<string, Located>>();
    for (const workload of index.workloads) {
      const locality = podLocality(workload.pods.labels);
      if (locality === undefined) continue;
      const clusters = firstPodByLocality.get(locality) ?? new Map<string, Located>();
      if (!clusters.has(workload.located.cluster)) clusters.set(workload.located.cluster, workload.located);
      firstPodByLocality.set(locality, clusters);
    }
    const networks = clusterNetworks(index);
    return [...firstPodByLocality].flatMap(([locality, clusters]) => {
      const [first, ...others] = [...clusters.keys()].filter((cluster) => networks.get(cluster) !== undefined).sort();
      return others
        .filter((cluster) => networks.get(cluster) !== networks.get(first))
        .map((cluster) =>
          findingOn(clusters.get(cluster)!, {
            code: 'MCL0035',
            severity: 'warning',
            message: `locality "${locality}" is claimed by cluster ${first} (network ${networks.get(first)}) and cluster ${cluster} (network ${networks.get(cluster)}): Istio ranks both clusters' endpoints alike, so traffic crosses networks while local endpoints are healthy`,
            hint: 'give each cluster its own zone or subzone, so that traffic stays in its network until it must fail over',
          }),
        );
    });
  },
};

/** The locality analyzers, in code order. */
export const LOCALITY_ANALYZERS: readonly Analyzer[] = [
  failoverWithoutOutlierDetection,
  distributeWeights,
  failoverTargetWithoutEndpoints,
  clusterLocalCalledElsewhere,
  zoneWithoutRegion,
  sameLocalityOnTwoNetworks,
];
