import type { ControlPlaneAddressKind } from '../model/mesh-spec';
import { ISTIO_SYSTEM_NAMESPACE, ISTIOD_PORTS, ISTIOD_SERVICE, LABELS } from '../model/names';
import { sailRevisionName } from '../model/sail';
import { DistinctManifests } from '../manifest/distinct-manifests';
import type { MeshManifests } from '../manifest/mesh-manifests';
import { apiGroup, clusterFolder, CONTROL_PLANE_FOLDER } from '../manifest/mesh-manifests';
import { record, text } from '../manifest/fields';
import { groupBy } from './group-by';
import { declaredHostsCover, hostKey, qualifiedHost, serviceKey, serviceOfHost, type ServiceName } from './hosts';
import { destinationRuleHost, destinationRuleSubsets, gatewaySelector, serviceEntryHosts } from './istio-objects';
import { isKind, ISTIO_CONFIG_GROUPS, KINDS } from '../manifest/kinds';
import type { KindId } from '../manifest/kinds';
import { podTemplate, providedSecretName, serviceSelector } from '../manifest/kube-objects';
import type { PodTemplate } from '../manifest/kube-objects';
import { ANY_NAMESPACE, LabelIndex } from './label-index';
import type { Located } from '../manifest/located';
import { remoteSecretOf } from '../manifest/remote-secret';
import type { RemoteSecret } from '../manifest/remote-secret';

/** A Deployment, StatefulSet, DaemonSet or Pod, with the labels and annotations of its pods. */
export interface Workload {
  readonly located: Located;
  readonly namespace: string;
  readonly pods: PodTemplate;
}

/** One output folder and the cluster it is applied to. */
export interface Folder {
  readonly folder: string;
  readonly cluster: string;
  readonly objects: readonly Located[];
}

/**
 * The synthesized mesh indexed once, so every analyzer answers its questions by lookups and stays
 * linear in the size of the mesh. Istio configuration is what istiod reads: the control-plane
 * folder and the control-plane cluster's own folder; it applies to every cluster of the mesh.
 */
export interface MeshIndex {
  readonly controlPlaneCluster: string;
  /** How remotes reach istiod, when the mesh model says so (synthesis; not a tree read back). */
  readonly controlPlaneAddressKind?: ControlPlaneAddressKind;
  /** Every cluster with a folder, sorted. */
  readonly clusterNames: readonly string[];
  /** The cluster folders in cluster order, then the control-plane folder. */
  readonly folders: readonly Folder[];
  /** Which objects equal an earlier one: the synth's, shared with its README and renderer, or the index's own. */
  readonly distinct: DistinctManifests;
  /** Istio Gateways by `namespace/name`. */
  readonly gateways: ReadonlyMap<string, Located>;
  readonly virtualServices: readonly Located[];
  readonly destinationRules: readonly Located[];
  /** DestinationRules by `hostKey` of their host, so any spelling of a host finds them. */
  readonly destinationRulesByHost: ReadonlyMap<string, readonly Located[]>;
  readonly peerAuthentications: readonly Located[];
  /** The remote secrets istiod reads: in `istio-system`, applied to the control-plane cluster. */
  readonly remoteSecrets: readonly RemoteSecret[];
  /** Services by `namespace/name`, one entry per cluster that has it. */
  readonly servicesByKey: ReadonlyMap<string, readonly Located[]>;
  /** `cluster/namespace/name` of every Service. */
  readonly servicesInClusters: ReadonlySet<string>;
  /** Services by their selector, in scope `ANY_NAMESPACE`. */
  readonly servicesBySelector: LabelIndex<Located>;
  /** Services by `cluster/namespace`. */
  readonly servicesByNamespace: ReadonlyMap<string, readonly Located[]>;
  readonly workloads: readonly Workload[];
  /** Workloads by their pod labels, in scope of their namespace and of `ANY_NAMESPACE`, over all clusters. */
  readonly workloadsByLabels: LabelIndex<Workload>;
  /** Namespace objects by `cluster/name`. */
  readonly namespaces: ReadonlyMap<string, Located>;
  /** `cluster/namespace/name` of every Secret present or provided (Certificate, ExternalSecret). */
  readonly providedSecrets: ReadonlySet<string>;
  /** The hosts ServiceEntries declare, lower-cased, for `declaredHostsCover`. */
  readonly serviceEntryHosts: ReadonlySet<string>;
}

/** `cluster/namespace[/name]`: how per-cluster indexes are keyed. */
export function inCluster(cluster: string, ...path: readonly string[]): string {
  return [cluster, ...path].join('/');
}

/** True when a host names a Service of some cluster or is declared by a ServiceEntry. */
export function hostIsKnown(index: MeshIndex, host: string, namespace: string): boolean {
  if (declaredHostsCover(index.serviceEntryHosts, qualifiedHost(host, namespace))) return true;
  const service = serviceOfHost(host, namespace);
  return service !== undefined && index.servicesByKey.has(serviceKey(service));
}

/** The subset names the DestinationRules of a host define, whichever spelling of the host they use. */
export function definedSubsets(index: MeshIndex, host: string, namespace: string): ReadonlySet<string> {
  const rules = index.destinationRulesByHost.get(hostKey(host, namespace)) ?? [];
  return new Set(rules.flatMap((rule) => destinationRuleSubsets(rule.manifest).map((subset) => subset.name)));
}

/** The workloads, in every cluster and namespace, whose pods a Gateway's selector picks (Istio's default scope). */
export function gatewayWorkloads(index: MeshIndex, gateway: Located): Workload[] {
  return index.workloadsByLabels.select(ANY_NAMESPACE, gatewaySelector(gateway.manifest));
}

/** Cluster -> its network: its istio-system Namespace's label, else the label of a gateway pod of it; in one pass. */
export function clusterNetworks(index: MeshIndex): Map<string, string> {
  const networks = new Map<string, string>();
  for (const workload of index.workloads) {
    const network = workload.pods.labels[LABELS.network];
    if (network !== undefined && !networks.has(workload.located.cluster)) networks.set(workload.located.cluster, network);
  }
  for (const cluster of index.clusterNames) {
    const fromNamespace = index.namespaces.get(inCluster(cluster, ISTIO_SYSTEM_NAMESPACE))?.manifest.metadata.labels?.[LABELS.network];
    if (fromNamespace !== undefined) networks.set(cluster, fromNamespace);
  }
  return networks;
}

/** Builds every index in one pass over the mesh's manifests. */
export function indexMesh(mesh: MeshManifests, distinct: DistinctManifests = new DistinctManifests()): MeshIndex {
  const clusterNames = [...mesh.clusters.keys()].sort();
  const folders = meshFolders(mesh);
  const everything = folders.flatMap((folder) => folder.objects);
  const onControlPlane = everything.filter((located) => located.cluster === mesh.controlPlaneCluster);
  const istioConfig = onControlPlane.filter((located) => ISTIO_CONFIG_GROUPS.has(apiGroup(located.manifest)));

  const destinationRules = ofKind(istioConfig, KINDS.destinationRule);
  const services = [...ofKind(everything, KINDS.service), ...sailRenderedServices(everything)];
  const servicesBySelector = new LabelIndex<Located>();
  for (const service of services) servicesBySelector.add(ANY_NAMESPACE, serviceSelector(service.manifest), service);
  const workloads = workloadsOf(everything);
  const workloadsByLabels = new LabelIndex<Workload>();
  for (const workload of workloads) {
    workloadsByLabels.add(workload.namespace, workload.pods.labels, workload);
    workloadsByLabels.add(ANY_NAMESPACE, workload.pods.labels, workload);
  }

  return {
    controlPlaneCluster: mesh.controlPlaneCluster,
    controlPlaneAddressKind: mesh.controlPlaneAddressKind,
    clusterNames,
    folders,
    distinct,
    gateways: new Map(ofKind(istioConfig, KINDS.gateway).map((located) => [namespacedName(located), located])),
    virtualServices: ofKind(istioConfig, KINDS.virtualService),
    destinationRules,
    destinationRulesByHost: groupBy(destinationRules, (located) => {
      const host = destinationRuleHost(located.manifest);
      return host === undefined ? undefined : hostKey(host, namespaceOf(located));
    }),
    peerAuthentications: ofKind(istioConfig, KINDS.peerAuthentication),
    remoteSecrets: onControlPlane.flatMap((located) => {
      const secret = remoteSecretOf(located);
      return secret?.namespace === ISTIO_SYSTEM_NAMESPACE ? [secret] : [];
    }),
    servicesByKey: groupBy(services, namespacedName),
    servicesInClusters: new Set(services.map((service) => inCluster(service.cluster, namespacedName(service)))),
    servicesBySelector,
    servicesByNamespace: groupBy(services, (service) => inCluster(service.cluster, namespaceOf(service))),
    workloads,
    workloadsByLabels,
    namespaces: new Map(ofKind(everything, KINDS.namespace).map((located) => [inCluster(located.cluster, located.manifest.metadata.name), located])),
    providedSecrets: new Set(
      everything.flatMap((located) => {
        const name = providedSecretName(located.manifest);
        return name === undefined ? [] : [inCluster(located.cluster, namespaceOf(located), name)];
      }),
    ),
    serviceEntryHosts: new Set(
      ofKind(istioConfig, KINDS.serviceEntry).flatMap((located) => serviceEntryHosts(located.manifest).map((host) => host.toLowerCase())),
    ),
  };
}

/** The namespace of a namespaced object; `default` when the manifest leaves it to `kubectl apply`. */
export function namespaceOf(located: Located): string {
  return located.manifest.metadata.namespace ?? 'default';
}

/** The Service a DestinationRule's host names, resolved in the rule's namespace; undefined for no host, a wildcard or an outside host. */
export function serviceOfDestinationRule(rule: Located): ServiceName | undefined {
  const host = destinationRuleHost(rule.manifest);
  return host === undefined ? undefined : serviceOfHost(host, namespaceOf(rule));
}

function namespacedName(located: Located): string {
  return serviceKey({ namespace: namespaceOf(located), name: located.manifest.metadata.name });
}

/** Each cluster folder, in cluster-name order, then the control plane's: the objects where they are. */
export function meshFolders(mesh: MeshManifests): Folder[] {
  return [
    ...[...mesh.clusters.keys()].sort().map((cluster) => folderOf(clusterFolder(cluster), cluster, mesh.clusters.get(cluster) ?? [])),
    folderOf(CONTROL_PLANE_FOLDER, mesh.controlPlaneCluster, mesh.controlPlane),
  ];
}

function folderOf(folder: string, cluster: string, manifests: Iterable<Located['manifest']>): Folder {
  return { folder, cluster, objects: [...manifests].map((manifest) => ({ manifest, cluster, folder })) };
}

function workloadsOf(objects: readonly Located[]): Workload[] {
  return objects.flatMap((located) => {
    const pods = podTemplate(located.manifest);
    return pods ? [{ located, namespace: namespaceOf(located), pods }] : [];
  });
}

function ofKind(objects: readonly Located[], kind: KindId): Located[] {
  return objects.filter((located) => isKind(located.manifest, kind));
}

/** The ports of the istiod chart's Service (istio-discovery `templates/service.yaml`), which the operator renders. */
const ISTIOD_CHART_SERVICE_PORTS = [
  { port: 15010, name: 'grpc-xds', protocol: 'TCP' },
  { port: ISTIOD_PORTS.xds, name: 'https-dns', protocol: 'TCP' },
  { port: ISTIOD_PORTS.webhookService, name: 'https-webhook', targetPort: ISTIOD_PORTS.webhookContainer, protocol: 'TCP' },
  { port: 15014, name: 'http-monitoring', protocol: 'TCP' },
];

/**
 * The istiod Service the Sail operator renders from each `Istio` resource (in its `spec.namespace`,
 * named after the revision: `istiod` for the revision `default`, `istiod-<revision>` otherwise),
 * so that a host naming it counts as known although no folder holds it.
 */
function sailRenderedServices(objects: readonly Located[]): Located[] {
  return ofKind(objects, KINDS.sailIstio).map((istio) => {
    const spec = record(istio.manifest.spec);
    const strategy = record(spec.updateStrategy).type === 'RevisionBased' ? 'RevisionBased' : 'InPlace';
    const version = text(spec.version);
    const revision = strategy === 'RevisionBased' && version !== undefined ? sailRevisionName(istio.manifest.metadata.name, strategy, version) : istio.manifest.metadata.name;
    const name = revision === 'default' ? ISTIOD_SERVICE : `${ISTIOD_SERVICE}-${revision}`;
    const manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: text(spec.namespace) ?? ISTIO_SYSTEM_NAMESPACE }, spec: { ports: ISTIOD_CHART_SERVICE_PORTS } };
    return { manifest, cluster: istio.cluster, folder: istio.folder };
  });
}
