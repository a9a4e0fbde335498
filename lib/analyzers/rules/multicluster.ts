import { compareText } from '../../manifest/compare-text';
import { ISTIO_CONFIG_GROUPS } from '../../manifest/kinds';
import { servicePorts, serviceSelector } from '../../manifest/kube-objects';
import { absentObject, type Located } from '../../manifest/located';
import { apiGroup, clusterFolder, CONTROL_PLANE_FOLDER, type Manifest } from '../../manifest/mesh-manifests';
import { type RemoteSecret, remoteSecretOf } from '../../manifest/remote-secret';
import { ANNOTATIONS, APP_ANNOTATIONS, EAST_WEST_GATEWAY, ISTIO_SYSTEM_NAMESPACE, ISTIOD_PORTS, LABELS, remoteSecretName } from '../../model/names';
import type { Analyzer } from '../analyzer';
import { calledHosts } from '../calls-annotation';
import { type Finding, findingOn } from '../finding';
import { groupBy } from '../group-by';
import { serviceKey, serviceOfHost } from '../hosts';
import { gatewaySelector, gatewayServers } from '../istio-objects';
import { ANY_NAMESPACE, formatLabels } from '../label-index';
import { clusterNetworks, inCluster, type MeshIndex } from '../mesh-index';

/**
 * The remote secrets istiod reads on the control-plane cluster (labelled `istio/multiCluster`, in
 * istio-system; a Secret or the one an ExternalSecret renders):
 * - MCL0002: a remote cluster has none, so istiod never discovers its endpoints or leads it;
 * - MCL0003: a secret's data key names the control-plane cluster (istiod ignores it) or a cluster
 *   the mesh does not have (istiod connects to something unknown);
 * - MCL0004: a secret's name `istio-remote-secret-<c>`, its `networking.istio.io/cluster`
 *   annotation and its single data key do not name the same cluster.
 */
export const remoteSecretAnalyzer: Analyzer = {
  codes: ['MCL0002', 'MCL0003', 'MCL0004'],
  name: 'Remote secrets cover exactly the remote clusters, consistently named',
  analyze: (index) => {
    const meshClusters = new Set(index.clusterNames);
    return [
      ...missingSecrets(index),
      ...index.remoteSecrets.flatMap((secret) => [...foreignKeys(index, meshClusters, secret), ...inconsistentNames(secret)]),
    ];
  },
};

function missingSecrets(index: MeshIndex): Finding[] {
  const covered = new Set(index.remoteSecrets.flatMap((secret) => secret.dataKeys));
  return index.clusterNames
    .filter((cluster) => cluster !== index.controlPlaneCluster && !covered.has(cluster))
    .map((cluster) =>
      findingOn(
        absentObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: remoteSecretName(cluster), namespace: ISTIO_SYSTEM_NAMESPACE } }, index.controlPlaneCluster, CONTROL_PLANE_FOLDER),
        {
          code: 'MCL0002',
          severity: 'error',
          message: `remote cluster ${cluster} has no remote secret on the control plane`,
          hint: `add a Secret (or ExternalSecret) labelled ${LABELS.multiClusterSecret}=true in ${ISTIO_SYSTEM_NAMESPACE} with the kubeconfig of ${cluster} under key "${cluster}"`,
        },
      ),
    );
}

function foreignKeys(index: MeshIndex, meshClusters: ReadonlySet<string>, secret: RemoteSecret): Finding[] {
  return secret.dataKeys
    .filter((key) => key === index.controlPlaneCluster || !meshClusters.has(key))
    .map((key) =>
      findingOn(secret.located, {
        code: 'MCL0003',
        severity: 'error',
        message: key === index.controlPlaneCluster
          ? `holds a kubeconfig for the control-plane cluster ${key}, which istiod ignores`
          : `holds a kubeconfig for "${key}", which is no cluster of the mesh (clusters: ${index.clusterNames.join(', ')})`,
        hint: 'keep remote secrets for the remote clusters only, keyed by their cluster names',
      }),
    );
}

function inconsistentNames(secret: RemoteSecret): Finding[] {
  const [cluster] = secret.dataKeys;
  const consistent = secret.dataKeys.length === 1 && secret.clusterAnnotation === cluster && secret.name === remoteSecretName(cluster);
  if (consistent) return [];
  return [
    findingOn(secret.located, {
      code: 'MCL0004',
      severity: 'error',
      message: `name ${secret.name}, annotation ${ANNOTATIONS.clusterName}=${secret.clusterAnnotation ?? '(none)'} and data keys [${secret.dataKeys.join(', ')}] do not name one cluster`,
      hint: `derive the name, annotation and data key from one cluster name: ${remoteSecretName('<cluster>')}, <cluster>, <cluster>`,
    }),
  ];
}

/**
 * MCL0006: an istio-system Namespace whose `topology.istio.io/controlPlaneClusters` annotation
 * does not name the control-plane cluster: missing or different on a remote (istiod will not lead
 * it: no webhook CA patching, no root-cert ConfigMaps), or naming another cluster on the control
 * plane itself. Clusters whose folder has no istio-system Namespace are not checked.
 */
export const controlPlaneClustersAnalyzer: Analyzer = {
  codes: ['MCL0006'],
  name: 'istio-system Namespaces name the control-plane cluster',
  analyze: (index) =>
    index.clusterNames.flatMap((cluster) => {
      const namespace = index.namespaces.get(inCluster(cluster, ISTIO_SYSTEM_NAMESPACE));
      if (namespace === undefined) return [];
      const named = namespace.manifest.metadata.annotations?.[ANNOTATIONS.controlPlaneClusters];
      const isRemote = cluster !== index.controlPlaneCluster;
      if (named === index.controlPlaneCluster || (named === undefined && !isRemote)) return [];
      return [
        findingOn(namespace, {
          code: 'MCL0006',
          severity: 'error',
          message: `${ANNOTATIONS.controlPlaneClusters} is ${named ?? '(none)'}, but the control-plane cluster is ${index.controlPlaneCluster}`,
          hint: `annotate ${ISTIO_SYSTEM_NAMESPACE} in ${clusterFolder(cluster)} with ${ANNOTATIONS.controlPlaneClusters}=${index.controlPlaneCluster}`,
        }),
      ];
    }),
};

/**
 * MCL0007: Istio configuration or a remote secret in a remote cluster's folder. istiod reads both
 * only from the control-plane cluster, so there they are silently ignored.
 */
export const misplacedControlPlaneObjectAnalyzer: Analyzer = {
  codes: ['MCL0007'],
  name: 'Control-plane-only objects are not applied to remotes',
  analyze: (index) =>
    index.folders
      .filter((folder) => folder.cluster !== index.controlPlaneCluster)
      .flatMap((folder) => folder.objects)
      .filter((located) => ISTIO_CONFIG_GROUPS.has(apiGroup(located.manifest)) || remoteSecretOf(located) !== undefined)
      .map((located) =>
        findingOn(located, {
          code: 'MCL0007',
          severity: 'error',
          message: `is applied to remote cluster ${located.cluster}, where istiod never reads it`,
          hint: 'emit Istio configuration and remote secrets into the control-plane folder',
        }),
      ),
};

/**
 * MCL0008: a workload calls a Service (pod annotation `mesh.cdk8s.io/calls`) that its own cluster
 * does not define. The caller's cluster needs the Service object for DNS even when all its pods
 * run elsewhere (Istio deployment models; istio/istio.io#8460), unless DNS proxying is on.
 */
export const callerServiceAnalyzer: Analyzer = {
  codes: ['MCL0008'],
  name: 'Callers have the Services they call in their cluster',
  analyze: (index) =>
    index.workloads.flatMap((workload) =>
      calledHosts(workload.pods.annotations)
        .flatMap((host) => serviceOfHost(host, workload.namespace) ?? [])
        .filter((service) => !index.servicesInClusters.has(inCluster(workload.located.cluster, serviceKey(service))))
        .map((service) =>
          findingOn(workload.located, {
            code: 'MCL0008',
            severity: 'error',
            message: `calls ${serviceKey(service)} (${APP_ANNOTATIONS.calls}) but cluster ${workload.located.cluster} has no such Service`,
            hint: `add Service ${serviceKey(service)} to ${clusterFolder(workload.located.cluster)}, even if none of its pods run there`,
          }),
        ),
    ),
};

/**
 * IST0170: the same Service (namespace/name) defined differently across clusters, in its ports
 * (number, protocol, name, appProtocol) or its selector. Istio merges them into one service, so
 * the clusters disagree on how to reach it. istio-system is left out: the remotes' selector-less
 * `istiod` Service differs from the control plane's by design.
 */
export const inconsistentServiceAnalyzer: Analyzer = {
  codes: ['IST0170'],
  name: 'Services are defined alike in every cluster',
  analyze: (index) =>
    [...index.servicesByKey.values()].flatMap(([reference, ...others]) => {
      if (reference.manifest.metadata.namespace === ISTIO_SYSTEM_NAMESPACE) return [];
      const expected = shape(reference.manifest);
      const same = index.distinct.representativeOf(reference.manifest);
      return others.flatMap((service) => {
        // A copy of the reference (the usual case: one definition for every cluster) agrees with it.
        if (index.distinct.representativeOf(service.manifest) === same) return [];
        const actual = shape(service.manifest);
        const differences = (['ports', 'selector'] as const)
          .filter((aspect) => actual[aspect] !== expected[aspect])
          .map((aspect) => `${aspect} ${actual[aspect] || '(none)'} instead of ${expected[aspect] || '(none)'}`);
        if (differences.length === 0) return [];
        return [
          findingOn(service, {
            code: 'IST0170',
            severity: 'warning',
            message: `differs from the definition in cluster ${reference.cluster}: ${differences.join('; ')}`,
            hint: 'define the Service identically in every cluster (same ports, protocols and selector)',
          }),
        ];
      });
    }),
};

/**
 * What must agree across clusters, as comparable strings. A port that is not a number (the schema
 * check, MCL0050, reports it) is shown as such, never as a JavaScript value.
 */
function shape(service: Manifest): { readonly ports: string; readonly selector: string } {
  const ports = servicePorts(service)
    .map((port) => `${port.port ?? '(no port number)'}/${port.protocol}/${port.name ?? ''}${port.appProtocol ? `/${port.appProtocol}` : ''}`)
    .sort()
    .join(',');
  return { ports, selector: formatLabels(serviceSelector(service)) };
}

/**
 * MCL0009: an east-west gateway the mesh relies on that no object creates. Remotes reach istiod
 * through the control-plane cluster's east-west gateway when `controlPlaneAddressKind` is
 * `eastwest-gateway` (the model says so in a synthesis) or when a control-plane Gateway passes
 * istiod's port 15012 through (what a tree read back shows); and on several networks, traffic
 * crosses into each network through an east-west gateway there. A gateway is a workload whose pods
 * carry the east-west gateway's labels or that such a Gateway (15012, or 15443 across networks)
 * selects. Without it, the remotes' proxies and injection webhook, or the calls into that
 * network, dial an address nothing serves.
 */
export const missingEastWestGatewayAnalyzer: Analyzer = {
  codes: ['MCL0009'],
  name: 'The east-west gateways the mesh routes through exist',
  analyze: (index) => [...istiodWithoutGateway(index), ...networksWithoutGateway(index)],
};

/** A stand-in for the east-west gateway no object creates, in the folder of the cluster that lacks it. */
function absentEastWestGateway(cluster: string): Located {
  return absentObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: EAST_WEST_GATEWAY.name, namespace: ISTIO_SYSTEM_NAMESPACE } }, cluster, clusterFolder(cluster));
}

/** The Istio Gateways (`namespace/name` -> Gateway) with a server on the port. */
function gatewaysServing(index: MeshIndex, port: number): [string, Located][] {
  return [...index.gateways].filter(([, gateway]) => gatewayServers(gateway.manifest).some((server) => server.portNumber === port));
}

/** The clusters that run an east-west gateway: its labels, or picked by a Gateway of its ports. */
function clustersWithEastWestGateway(index: MeshIndex): Set<string> {
  const selectors = [EAST_WEST_GATEWAY.selector, ...[...gatewaysServing(index, ISTIOD_PORTS.xds), ...gatewaysServing(index, EAST_WEST_GATEWAY.crossNetworkPort)].map(([, gateway]) => gatewaySelector(gateway.manifest))];
  return new Set(selectors.flatMap((selector) => index.workloadsByLabels.select(ANY_NAMESPACE, selector)).map((workload) => workload.located.cluster));
}

function istiodWithoutGateway(index: MeshIndex): Finding[] {
  const throughGateway = gatewaysServing(index, ISTIOD_PORTS.xds);
  if (index.controlPlaneAddressKind !== 'eastwest-gateway' && throughGateway.length === 0) return [];
  if (clustersWithEastWestGateway(index).has(index.controlPlaneCluster)) return [];
  // The remotes: clusters whose istio-system names this control plane (what IstioRemote sets up).
  const remotes = index.clusterNames.filter(
    (cluster) =>
      cluster !== index.controlPlaneCluster &&
      index.namespaces.get(inCluster(cluster, ISTIO_SYSTEM_NAMESPACE))?.manifest.metadata.annotations?.[ANNOTATIONS.controlPlaneClusters] === index.controlPlaneCluster,
  );
  if (remotes.length === 0) return [];
  const why = index.controlPlaneAddressKind === 'eastwest-gateway'
    ? 'controlPlaneAddressKind is eastwest-gateway'
    : `Gateway ${throughGateway.map(([name]) => name).join(', ')} passes port ${ISTIOD_PORTS.xds} through to it`;
  return [
    findingOn(absentEastWestGateway(index.controlPlaneCluster), {
      code: 'MCL0009',
      severity: 'error',
      message: `remote cluster${remotes.length === 1 ? ` ${remotes[0]} reaches` : `s ${remotes.join(', ')} reach`} istiod through the east-west gateway of control-plane cluster ${index.controlPlaneCluster} (${why}), but no object in ${clusterFolder(index.controlPlaneCluster)} runs one`,
      hint: `add an EastWestGateway to the mesh (the inventory adds one), or set controlPlaneAddressKind to istiod-service or istiod-pod when remotes reach istiod another way`,
    }),
  ];
}

function networksWithoutGateway(index: MeshIndex): Finding[] {
  const networks = groupBy([...clusterNetworks(index)].sort(([a], [b]) => compareText(a, b)), ([, network]) => network);
  if (networks.size < 2) return [];
  const served = clustersWithEastWestGateway(index);
  return [...networks]
    .filter(([, members]) => !members.some(([cluster]) => served.has(cluster)))
    .map(([network, members]) => {
      const clusters = members.map(([cluster]) => cluster);
      const others = [...networks.keys()].filter((other) => other !== network).sort(compareText);
      return findingOn(absentEastWestGateway(clusters[0]), {
        code: 'MCL0009',
        severity: 'error',
        message: `network ${network} (cluster${clusters.length === 1 ? '' : 's'} ${clusters.join(', ')}) has no east-west gateway, so no traffic from network${others.length === 1 ? '' : 's'} ${others.join(', ')} reaches its services`,
        hint: `add an EastWestGateway on a cluster of network ${network} (the inventory adds one on every cluster of a mesh on several networks)`,
      });
    });
}
