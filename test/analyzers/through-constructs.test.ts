/*
 * Every analyzer code, fired by a mesh built with the constructs and then broken the way a user
 * of the constructs could break it: through construct props (and the mesh spec) where the
 * constructs let that happen, otherwise through cdk8s escape hatches on what they synthesized
 * (`addJsonPatch` on an ApiObject a construct created, an extra raw `ApiObject` in a mesh chart, or a child
 * removed from the construct tree). `analyze-mesh.test.ts` covers the same codes on hand-made
 * manifests, `read-mesh-tree.test.ts` on a YAML tree read back as `validate` reads it.
 */
import { ApiObject, type ApiObjectProps, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { AppSplit, type AppSplitProps } from '../../constructs/app-split';
import { BOOKINFO_INGRESS_ROUTES, BookinfoSplit, type BookinfoSplitProps } from '../../constructs/presets/bookinfo/bookinfo-split';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { InstallValues } from '../../constructs/install-values';
import { IstioMesh } from '../../constructs/istio-mesh';
import { IstioRemote } from '../../constructs/istio-remote';
import type { MeshConstruct } from '../../constructs/mesh-construct';
import type { MeshPart } from '../../constructs/mesh-part';
import { MtlsNamespace, type MtlsNamespaceProps, type MtlsService } from '../../constructs/mtls-namespace';
import { MultiClusterSecret } from '../../constructs/multi-cluster-secret';
import { TlsGateway, type TlsGatewayProps } from '../../constructs/tls-gateway';
import { ANALYZERS } from '../../lib/analyzers';
import type { Finding } from '../../lib/analyzers/finding';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import type { AppDefinition, ServiceDefinition } from '../../lib/model/app-definition';
import type { ClusterSpec, MeshSpec } from '../../lib/model/mesh-spec';
import { ANNOTATIONS, APP_ANNOTATIONS, injectionPath, ISTIO_SYSTEM_NAMESPACE, LABELS, remoteSecretName, SIDECAR_INJECTOR_WEBHOOK } from '../../lib/model/names';
import { clusterFolder, CONTROL_PLANE_FOLDER } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { failingFindings, synthesizeOutput } from '../../lib/synth/synth-output';
import { istioCsrDeployment } from './broken-meshes';
import { remoteSecret } from './fixtures';

const EAST = 'east';
const WEST = 'west';
const NORTH = 'north';
const NETWORK = 'network1';
const NAMESPACE = 'bookinfo';
const HOST = 'bookinfo.example.com';
const GATEWAY = 'bookinfo-ingressgateway';

const CLUSTERS: readonly ClusterSpec[] = [
  { name: EAST, url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.10' },
  { name: WEST, url: 'https://api.west.example.com:6443' },
  { name: NORTH, url: 'https://api.north.example.com:6443' },
];

/** Bookinfo split over three clusters: the front in east, reviews-v2 in west, reviews-v3 in north, ratings in both remotes. */
const PLACEMENT = { 'reviews-v2': [WEST], 'reviews-v3': [NORTH], 'ratings-v1': [WEST, NORTH], 'default': [EAST] };

/** The mesh the tests break: one control plane, two remotes, Bookinfo routed to reviews-v3 behind a TLS gateway per cluster. */
const SPEC: InventorySpec = {
  clusters: CLUSTERS,
  bookinfo: { namespace: NAMESPACE, host: HOST, routing: 'v3', placement: PLACEMENT },
};

/** SPEC on OpenShift clusters, the Bookinfo gateways exposed by Routes. */
function routedMesh(): IstioMesh {
  const clusters = SPEC.clusters.map((cluster) => ({ ...cluster, platform: 'openshift' as const }));
  return buildMesh(Inventory.fromSpec({ ...SPEC, clusters, bookinfo: { ...SPEC.bookinfo!, gateway: { exposure: 'route' } } }));
}

/** SPEC installed by the Sail operator: each cluster's Istio resource is in its folder. */
function sailMesh(): IstioMesh {
  return buildMesh(Inventory.fromSpec({ ...SPEC, mesh: { installer: 'sail' } }));
}

/** SPEC with a region per cluster: reviews (east, west, north) and ratings (west, north) run in several localities. */
const REGIONAL: MeshSpec = {
  ...SPEC,
  clusters: [
    { ...CLUSTERS[0], region: 'us-east', zone: 'us-east-1a' },
    { ...CLUSTERS[1], region: 'us-west', zone: 'us-west-2a' },
    { ...CLUSTERS[2], region: 'eu-north', zone: 'eu-north-1a' },
  ],
};

const onControlPlane = { cluster: EAST, folder: CONTROL_PLANE_FOLDER } as const;
const inFolderOf = (cluster: string) => ({ cluster, folder: clusterFolder(cluster) }) as const;
const GATEWAY_OBJECT = `Gateway/${NAMESPACE}/${GATEWAY}`;
const GATEWAY_VIRTUAL_SERVICE = `VirtualService/${NAMESPACE}/${GATEWAY}`;

/** What a test changes in the hand-composed mesh; everything left out is composed as `buildMesh` does. */
interface Composition {
  /** The mesh spec. */
  readonly spec?: InventorySpec;
  /** Leave out the MultiClusterSecret. */
  readonly withoutRemoteSecrets?: boolean;
  /** Leave out the EastWestGateway. */
  readonly withoutEastWestGateway?: boolean;
  /** Bookinfo's MtlsNamespace props, given the services `BookinfoSplit.mtlsServices` lists. */
  readonly mtls?: (services: readonly MtlsService[]) => Partial<MtlsNamespaceProps>;
  /** Bookinfo's TlsGateway props. */
  readonly gateway?: Partial<TlsGatewayProps>;
  /** Bookinfo's own props beyond namespace, placement and routing. */
  readonly bookinfo?: Partial<BookinfoSplitProps>;
}

/**
 * The constructs `buildMesh` composes for SPEC, composed by hand with the same ids, so that a test
 * can change their props or leave one out. The first tests check it is the same mesh.
 */
function composeMesh(composition: Composition = {}): IstioMesh {
  const model = Inventory.fromSpec(composition.spec ?? SPEC).mesh;
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: model });
  new IstioRemote(mesh, 'istio-remote');
  if (!composition.withoutRemoteSecrets) new MultiClusterSecret(mesh, 'remote-secrets');
  new InstallValues(mesh, 'install-values');
  if (!composition.withoutEastWestGateway) new EastWestGateway(mesh, 'east-west-gateway');
  const bookinfo = new BookinfoSplit(mesh, 'bookinfo', { namespace: NAMESPACE, placement: PLACEMENT, routing: 'v3', ...composition.bookinfo });
  new MtlsNamespace(mesh, 'bookinfo-mtls', { namespace: NAMESPACE, services: bookinfo.mtlsServices, ...composition.mtls?.(bookinfo.mtlsServices) });
  new TlsGateway(mesh, 'bookinfo-gateway', { namespace: NAMESPACE, name: GATEWAY, hosts: [HOST], routes: BOOKINFO_INGRESS_ROUTES, ...composition.gateway });
  return mesh;
}

/** The construct composeMesh created with that id, whose parts hold its objects. */
function constructOf(mesh: IstioMesh, id: string): MeshConstruct {
  return mesh.node.findChild(id) as MeshConstruct;
}

/** The one ApiObject of that kind and name (and namespace, when given) a construct's part holds. */
function apiObjectIn(part: MeshPart, kind: string, name: string, namespace?: string): ApiObject {
  const found = part.node
    .findAll()
    .filter((construct): construct is ApiObject => ApiObject.isApiObject(construct))
    .filter((object) => object.kind === kind && object.name === name && (namespace === undefined || object.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name} in ${part.node.path}, found ${found.length}`);
  return found[0];
}

/** A JSON pointer to a field, escaping `~` and `/` in keys such as annotation names. */
function pointer(...segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The `kubernetes.io/tls` Secret a user provides for `credentialSecret`. */
function tlsSecret(chart: Chart, name: string): void {
  new k8s.KubeSecret(chart, `tls-secret-${name}`, {
    metadata: { name, namespace: NAMESPACE },
    type: 'kubernetes.io/tls',
    stringData: { 'tls.crt': 'PEM', 'tls.key': 'PEM' },
  });
}

/** A remote secret as `istioctl create-remote-secret --name <cluster>` prints it, added as a raw object. */
function rawRemoteSecret(chart: Chart, cluster: string): void {
  new ApiObject(chart, `raw-remote-secret-${cluster}`, remoteSecret(cluster) as unknown as ApiObjectProps);
}

/** A small application of one service, `catalog` unless overridden, for the AppSplit cases. */
function shopApp(name: string, catalog: Partial<ServiceDefinition> = {}): AppDefinition {
  return {
    name,
    services: [{ name: 'catalog', port: 8080, serviceAccount: 'catalog', versions: [{ version: 'v1', image: 'ghcr.io/example/catalog:1.0.0' }], ...catalog }],
  };
}

/** An AppSplit in namespace shop, with the namespace's mTLS on the given clusters. */
function splitShop(mesh: IstioMesh, splits: Readonly<Record<string, Omit<AppSplitProps, 'namespace'>>>, clusters: readonly string[]): void {
  const services = new Map<string, MtlsService>();
  for (const [id, props] of Object.entries(splits)) {
    const split = new AppSplit(mesh, id, { ...props, namespace: 'shop' });
    for (const service of split.mtlsServices) services.set(service.name, service);
  }
  new MtlsNamespace(mesh, 'shop-mtls', { namespace: 'shop', clusters, services: [...services.values()] });
}

/** The mesh with its trust chain from cert-manager, as `mesh.trust` writes it, on the control plane. */
function certManagerMesh(): IstioMesh {
  return buildMesh(Inventory.fromSpec({ ...SPEC, mesh: { trust: { source: 'cert-manager' } } }));
}

/** A raw object the user adds to a cluster's chart, as an escape hatch does. */
function addRaw(mesh: IstioMesh, cluster: string, id: string, props: ApiObjectProps): void {
  new ApiObject(mesh.clusterChart(cluster), id, props);
}

/** One way to break the constructs' mesh, and exactly the findings it must produce. */
interface BrokenThroughConstructs {
  readonly title: string;
  readonly code: string;
  /** How a user gets there: construct props (or the mesh spec), or a cdk8s escape hatch. */
  readonly through: 'props' | 'escape hatch';
  readonly build: () => IstioMesh;
  readonly expected: readonly (Partial<Finding> & Pick<Finding, 'code' | 'severity' | 'cluster' | 'folder' | 'object'>)[];
}

const BROKEN: readonly BrokenThroughConstructs[] = [
  {
    // TlsGateway always binds its VirtualService to its own Gateway: only an edited reference misses.
    title: "the gateway's VirtualService bound to a Gateway no construct defines",
    code: 'IST0101',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').controlPlanePart, 'VirtualService', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'gateways', 0), `${NAMESPACE}/bookinfo-gateway`));
      return mesh;
    },
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: GATEWAY_VIRTUAL_SERVICE }],
  },
  {
    title: 'a TlsGateway route to a host no AppSplit serves',
    code: 'IST0101',
    through: 'props',
    build: () => composeMesh({ gateway: { routes: [{ matches: [{ prefix: '/' }], destination: { host: 'productpages', port: 9080 } }] } }),
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: GATEWAY_VIRTUAL_SERVICE }],
  },
  {
    title: "BookinfoSplit routing to reviews v3 while the MtlsNamespace lists only reviews' subsets v1 and v2",
    code: 'IST0101',
    through: 'props',
    build: () =>
      composeMesh({ mtls: (services) => ({ services: services.map((service) => (service.name === 'reviews' ? { name: 'reviews', subsets: ['v1', 'v2'] } : service)) }) }),
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: `VirtualService/${NAMESPACE}/reviews` }],
  },
  {
    title: 'a TlsGateway credentialSecret the user provides in every gateway cluster but north',
    code: 'IST0101',
    through: 'props',
    build: () => {
      const mesh = composeMesh({ gateway: { credentialSecret: 'bookinfo-tls' } });
      for (const cluster of [EAST, WEST]) tlsSecret(mesh.clusterChart(cluster), 'bookinfo-tls');
      return mesh;
    },
    expected: [{ code: 'IST0101', severity: 'error', cluster: NORTH, folder: CONTROL_PLANE_FOLDER, object: GATEWAY_OBJECT }],
  },
  {
    title: 'an MtlsNamespace subset of reviews no placed workload runs (v4)',
    code: 'IST0173',
    through: 'props',
    build: () =>
      composeMesh({ mtls: (services) => ({ services: services.map((service) => (service.name === 'reviews' ? { name: 'reviews', subsets: ['v1', 'v2', 'v3', 'v4'] } : service)) }) }),
    expected: [{ code: 'IST0173', severity: 'error', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/reviews` }],
  },
  {
    title: 'an MtlsNamespace service no AppSplit defines',
    code: 'IST0174',
    through: 'props',
    build: () => composeMesh({ mtls: (services) => ({ services: [...services, { name: 'mongodb' }] }) }),
    expected: [{ code: 'IST0174', severity: 'error', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/mongodb` }],
  },
  {
    // TlsGateway gives its Gateway and its VirtualService the same hosts.
    title: "the gateway's VirtualService serving a host its Gateway does not",
    code: 'IST0132',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').controlPlanePart, 'VirtualService', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'hosts', 0), 'shop.example.com'));
      return mesh;
    },
    expected: [{ code: 'IST0132', severity: 'error', ...onControlPlane, object: GATEWAY_VIRTUAL_SERVICE }],
  },
  {
    // Same name in the same namespace would emit every object twice (MCL0001) and leave one Gateway;
    // in another namespace the two Gateways share the selector `istio: <name>`, port 443 and host.
    title: 'a second TlsGateway of the same name and host in another namespace',
    code: 'IST0145',
    through: 'props',
    build: () => {
      const mesh = composeMesh();
      new MtlsNamespace(mesh, 'canary-mtls', { namespace: 'bookinfo-canary', services: [] });
      new TlsGateway(mesh, 'canary-gateway', { namespace: 'bookinfo-canary', name: GATEWAY, hosts: [HOST] });
      return mesh;
    },
    expected: [
      { code: 'IST0145', severity: 'error', ...onControlPlane, object: `Gateway/bookinfo-canary/${GATEWAY}` },
      { code: 'IST0145', severity: 'error', ...onControlPlane, object: GATEWAY_OBJECT },
    ],
  },
  {
    // TlsGateway opens 443 on both its Gateway and its Service.
    title: 'the Gateway listening on a port its gateway Service does not expose',
    code: 'IST0162',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').controlPlanePart, 'Gateway', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'servers', 0, 'port', 'number'), 8443));
      return mesh;
    },
    expected: [EAST, NORTH, WEST].map((cluster) => ({ code: 'IST0162', severity: 'error', cluster, folder: CONTROL_PLANE_FOLDER, object: GATEWAY_OBJECT }) as const),
  },
  {
    title: 'an AppSplit service whose port is named "web"',
    code: 'IST0118',
    through: 'props',
    build: () => {
      const mesh = composeMesh();
      splitShop(mesh, { shop: { app: shopApp('shop', { portName: 'web' }), placement: { default: [WEST] } } }, [WEST]);
      return mesh;
    },
    expected: [{ code: 'IST0118', severity: 'warning', ...inFolderOf(WEST), object: 'Service/shop/catalog' }],
  },
  {
    title: 'the same service with different ports in two AppSplits of one namespace on different clusters',
    code: 'IST0170',
    through: 'props',
    build: () => {
      const mesh = composeMesh();
      splitShop(
        mesh,
        {
          'shop-north': { app: shopApp('shop-north'), placement: { default: [NORTH] } },
          'shop-west': { app: shopApp('shop-west', { port: 9090 }), placement: { default: [WEST] } },
        },
        [WEST, NORTH],
      );
      return mesh;
    },
    // Compared with the first cluster, by name, that has the Service: north.
    expected: [{ code: 'IST0170', severity: 'warning', ...inFolderOf(WEST), object: 'Service/shop/catalog' }],
  },
  {
    title: 'the MtlsNamespace left out of north, which runs Bookinfo workloads, with a plain Namespace instead',
    code: 'IST0102',
    through: 'props',
    build: () => {
      const mesh = composeMesh({ mtls: () => ({ clusters: [EAST, WEST] }) });
      new k8s.KubeNamespace(mesh.clusterChart(NORTH), 'bookinfo-namespace', { metadata: { name: NAMESPACE } });
      return mesh;
    },
    expected: [{ code: 'IST0102', severity: 'warning', ...inFolderOf(NORTH), object: `Namespace/${NAMESPACE}` }],
  },
  {
    // Leaving Bookinfo's MtlsNamespace out altogether also drops the DestinationRules its routes
    // need (IST0101); an AppSplit emits no Istio configuration, so its namespace shows IST0102 alone.
    title: 'an AppSplit namespace given a plain Namespace and no MtlsNamespace',
    code: 'IST0102',
    through: 'props',
    build: () => {
      const mesh = composeMesh();
      new AppSplit(mesh, 'shop', { app: shopApp('shop'), namespace: 'shop', placement: { default: [WEST] } });
      new k8s.KubeNamespace(mesh.clusterChart(WEST), 'shop-namespace', { metadata: { name: 'shop' } });
      return mesh;
    },
    expected: [{ code: 'IST0102', severity: 'warning', ...inFolderOf(WEST), object: 'Namespace/shop' }],
  },
  {
    // TlsGateway labels every cluster's gateway pods with its own selector.
    title: "north's gateway pods relabelled so the Gateway no longer selects them",
    code: 'KIA0302',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').partIn(NORTH), 'Deployment', GATEWAY, NAMESPACE).addJsonPatch(
        JsonPatch.replace(pointer('spec', 'selector', 'matchLabels', LABELS.gatewaySelector), 'ingressgateway'),
        JsonPatch.replace(pointer('spec', 'template', 'metadata', 'labels', LABELS.gatewaySelector), 'ingressgateway'),
      );
      return mesh;
    },
    expected: [{ code: 'KIA0302', severity: 'error', cluster: NORTH, folder: CONTROL_PLANE_FOLDER, object: GATEWAY_OBJECT }],
  },
  {
    title: 'the Gateway selector edited to match no gateway workload in any cluster',
    code: 'KIA0302',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').controlPlanePart, 'Gateway', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'selector', LABELS.gatewaySelector), 'ingressgateway'));
      return mesh;
    },
    expected: [{ code: 'KIA0302', severity: 'error', ...onControlPlane, object: GATEWAY_OBJECT }],
  },
  {
    // TlsGateway routes to productpage's Service port; an edited port number is exposed by no Service.
    title: "the gateway's VirtualService edited to route to a port productpage does not expose",
    code: 'IST0101',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').controlPlanePart, 'VirtualService', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'http', 0, 'route', 0, 'destination', 'port', 'number'), 9999));
      return mesh;
    },
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: GATEWAY_VIRTUAL_SERVICE, message: 'destination "productpage:9999" is no port of Service bookinfo/productpage in any cluster (its ports: 9080)' }],
  },
  {
    // The L1 classes type their props, but an escape hatch writes any JSON.
    title: "the MtlsNamespace's DestinationRule for reviews given a load balancer Istio does not know",
    code: 'IST0106',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-mtls').controlPlanePart, 'DestinationRule', 'reviews', NAMESPACE).addJsonPatch(JsonPatch.add(pointer('spec', 'trafficPolicy', 'loadBalancer'), { simple: 'ROUND_ROBINN' }));
      return mesh;
    },
    expected: [
      { code: 'IST0106', severity: 'error', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/reviews`, path: '/spec/trafficPolicy/loadBalancer/simple' },
      // An enum error stops the API server from running the CRD's CEL rules, which the check says.
      { code: 'IST0106', severity: 'info', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/reviews`, path: '/', message: 'CEL: rules not checked: the object has values of the wrong type or outside an enum, which stop the API server from running them' },
    ],
  },
  {
    title: "a Service of AppSplit given a field Kubernetes does not know",
    code: 'MCL0050',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo').partIn(EAST), 'Service', 'reviews', NAMESPACE).addJsonPatch(JsonPatch.add(pointer('spec', 'sessionAffinityy'), 'None'));
      return mesh;
    },
    expected: [{ code: 'MCL0050', severity: 'error', ...inFolderOf(EAST), object: `Service/${NAMESPACE}/reviews`, path: '/spec/sessionAffinityy', message: 'schema: /spec/sessionAffinityy unknown field' }],
  },
  {
    // MtlsNamespace writes ISTIO_MUTUAL DestinationRules beside its STRICT PeerAuthentication.
    title: "the MtlsNamespace's DestinationRule for reviews edited to disable TLS",
    code: 'IST0113',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-mtls').controlPlanePart, 'DestinationRule', 'reviews', NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'trafficPolicy', 'tls', 'mode'), 'DISABLE'));
      return mesh;
    },
    expected: [
      { code: 'IST0113', severity: 'error', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/reviews` },
      { code: 'KIA0501', severity: 'error', ...onControlPlane, object: `PeerAuthentication/${NAMESPACE}/default` },
    ],
  },
  {
    // Two objects of one group, kind, namespace and name would share a file name; the analyzers
    // report it before the writer ever sees the folder.
    title: 'the Namespace added by hand to west beside the MtlsNamespace that already emits it',
    code: 'MCL0001',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      new k8s.KubeNamespace(mesh.clusterChart(WEST), 'bookinfo-namespace', { metadata: { name: NAMESPACE, labels: { [LABELS.injection]: 'enabled' } } });
      return mesh;
    },
    expected: [{ code: 'MCL0001', severity: 'error', ...inFolderOf(WEST), object: `Namespace/${NAMESPACE}` }],
  },
  {
    title: 'the MultiClusterSecret left out',
    code: 'MCL0002',
    through: 'props',
    build: () => composeMesh({ withoutRemoteSecrets: true }),
    expected: [NORTH, WEST].map((cluster) => ({ code: 'MCL0002', severity: 'error', ...onControlPlane, object: `Secret/${ISTIO_SYSTEM_NAMESPACE}/${remoteSecretName(cluster)}` }) as const),
  },
  {
    // MultiClusterSecret writes one per remote of the model; a leftover comes from a raw object.
    title: 'a raw remote secret left over for cluster south, which the mesh no longer has',
    code: 'MCL0003',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      rawRemoteSecret(mesh.controlPlaneChart, 'south');
      return mesh;
    },
    expected: [{ code: 'MCL0003', severity: 'error', ...onControlPlane, object: `Secret/${ISTIO_SYSTEM_NAMESPACE}/${remoteSecretName('south')}` }],
  },
  {
    title: 'a raw remote secret for the control-plane cluster',
    code: 'MCL0003',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      rawRemoteSecret(mesh.controlPlaneChart, EAST);
      return mesh;
    },
    expected: [{ code: 'MCL0003', severity: 'error', ...onControlPlane, object: `Secret/${ISTIO_SYSTEM_NAMESPACE}/${remoteSecretName(EAST)}` }],
  },
  {
    // MultiClusterSecret derives name, annotation and data key from one cluster name.
    title: "west's remote ExternalSecret with its cluster annotation edited",
    code: 'MCL0004',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'remote-secrets').controlPlanePart, 'ExternalSecret', remoteSecretName(WEST), ISTIO_SYSTEM_NAMESPACE).addJsonPatch(
        JsonPatch.replace(pointer('spec', 'target', 'template', 'metadata', 'annotations', ANNOTATIONS.clusterName), 'wset'),
      );
      return mesh;
    },
    expected: [{ code: 'MCL0004', severity: 'error', ...onControlPlane, object: `ExternalSecret/${ISTIO_SYSTEM_NAMESPACE}/${remoteSecretName(WEST)}` }],
  },
  {
    title: "north's injectionUrl copied from west in the mesh spec",
    code: 'MCL0005',
    through: 'props',
    build: () =>
      composeMesh({
        spec: {
          ...SPEC,
          clusters: CLUSTERS.map((cluster) =>
            cluster.name === NORTH ? { ...cluster, injectionUrl: `https://istiod.east.example.com:15017${injectionPath(WEST, NETWORK)}` } : cluster,
          ),
        },
      }),
    expected: [{ code: 'MCL0005', severity: 'error', ...inFolderOf(NORTH), object: `MutatingWebhookConfiguration/${SIDECAR_INJECTOR_WEBHOOK}` }],
  },
  {
    // IstioRemote annotates every remote's istio-system with the model's control plane.
    title: "north's istio-system Namespace edited to name another control plane",
    code: 'MCL0006',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      apiObjectIn(constructOf(mesh, 'istio-remote').partIn(NORTH), 'Namespace', ISTIO_SYSTEM_NAMESPACE).addJsonPatch(
        JsonPatch.replace(pointer('metadata', 'annotations', ANNOTATIONS.controlPlaneClusters), 'central'),
      );
      return mesh;
    },
    expected: [{ code: 'MCL0006', severity: 'error', ...inFolderOf(NORTH), object: `Namespace/${ISTIO_SYSTEM_NAMESPACE}` }],
  },
  {
    // The constructs put Istio configuration in the control-plane chart only.
    title: "a raw DestinationRule in west's chart",
    code: 'MCL0007',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      new ApiObject(mesh.clusterChart(WEST), 'ratings-destination-rule', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'ratings', namespace: NAMESPACE },
        spec: { host: 'ratings', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      });
      return mesh;
    },
    expected: [{ code: 'MCL0007', severity: 'error', ...inFolderOf(WEST), object: `DestinationRule/${NAMESPACE}/ratings` }],
  },
  {
    // AppSplit emits a Service wherever a caller of the same app runs; a call into another app
    // cannot be declared with `calls` (checked against the app's own services), only through
    // the version's podAnnotations, and nothing then brings the callee's Service along.
    title: 'an AppSplit workload in north declaring a call to Bookinfo productpage, whose Service only east has',
    code: 'MCL0008',
    through: 'props',
    build: () => {
      const mesh = composeMesh();
      const storefront = shopApp('storefront', {
        name: 'storefront',
        serviceAccount: 'storefront',
        versions: [{ version: 'v1', image: 'ghcr.io/example/storefront:1.0.0', podAnnotations: { [APP_ANNOTATIONS.calls]: `productpage.${NAMESPACE}` } }],
      });
      splitShop(mesh, { shop: { app: storefront, placement: { default: [NORTH] } } }, [NORTH]);
      return mesh;
    },
    expected: [{ code: 'MCL0008', severity: 'error', ...inFolderOf(NORTH), object: 'Deployment/shop/storefront-v1' }],
  },
  {
    title: 'the reviews Service AppSplit put in east for productpage removed from the construct tree',
    code: 'MCL0008',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      const service = apiObjectIn(constructOf(mesh, 'bookinfo').partIn(EAST), 'Service', 'reviews', NAMESPACE);
      service.node.scope!.node.tryRemoveChild(service.node.id);
      return mesh;
    },
    expected: [{ code: 'MCL0008', severity: 'error', ...inFolderOf(EAST), object: `Deployment/${NAMESPACE}/productpage-v1` }],
  },
  {
    // The inventory always adds the gateway; code first can leave it out (the README's example did).
    title: 'remotes reaching istiod through the east-west gateway (the default controlPlaneAddressKind) of a mesh without an EastWestGateway',
    code: 'MCL0009',
    through: 'props',
    build: () => composeMesh({ withoutEastWestGateway: true }),
    expected: [
      {
        code: 'MCL0009',
        severity: 'error',
        ...inFolderOf(EAST),
        object: 'Deployment/istio-system/istio-eastwestgateway',
        message: `remote clusters ${NORTH}, ${WEST} reach istiod through the east-west gateway of control-plane cluster ${EAST} (controlPlaneAddressKind is eastwest-gateway), but no object in clusters/${EAST} runs one`,
      },
    ],
  },
  {
    title: "the outlierDetection of reviews' DestinationRule removed, leaving failover on",
    code: 'MCL0030',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh({ spec: REGIONAL });
      apiObjectIn(constructOf(mesh, 'bookinfo-mtls').controlPlanePart, 'DestinationRule', 'reviews', NAMESPACE).addJsonPatch(JsonPatch.remove('/spec/trafficPolicy/outlierDetection'));
      return mesh;
    },
    expected: [{ code: 'MCL0030', severity: 'error', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/reviews` }],
  },
  {
    title: "weights of reviews' DestinationRule patched to sum to 90",
    code: 'MCL0031',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh({ spec: REGIONAL, bookinfo: { locality: { reviews: { distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] } } } });
      apiObjectIn(constructOf(mesh, 'bookinfo-mtls').controlPlanePart, 'DestinationRule', 'reviews', NAMESPACE).addJsonPatch(
        JsonPatch.replace(pointer('spec', 'trafficPolicy', 'loadBalancer', 'localityLbSetting', 'distribute', 0, 'to', 'us-west/*'), 10),
      );
      return mesh;
    },
    expected: [{ code: 'MCL0031', severity: 'error', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/reviews` }],
  },
  {
    title: 'ratings, which runs in us-west and eu-north, told to fail over to us-east',
    code: 'MCL0032',
    through: 'props',
    build: () => composeMesh({ spec: REGIONAL, bookinfo: { locality: { ratings: { failover: [{ from: 'eu-north', to: 'us-east' }] } } } }),
    expected: [{ code: 'MCL0032', severity: 'error', ...onControlPlane, object: `DestinationRule/${NAMESPACE}/ratings` }],
  },
  {
    title: 'an AppSplit keeping its catalog cluster-local in north while its frontend in west calls it',
    code: 'MCL0033',
    through: 'props',
    build: () => {
      const mesh = composeMesh();
      const frontend: ServiceDefinition = { name: 'frontend', port: 8080, serviceAccount: 'frontend', calls: ['catalog'], versions: [{ version: 'v1', image: 'ghcr.io/example/frontend:1.0.0' }] };
      const app = shopApp('storefront');
      splitShop(mesh, { shop: { app: { ...app, services: [frontend, ...app.services] }, placement: { 'frontend-v1': [WEST], 'catalog-v1': [NORTH] }, clusterLocal: ['catalog'] } }, [WEST, NORTH]);
      return mesh;
    },
    expected: [{ code: 'MCL0033', severity: 'error', ...inFolderOf(WEST), object: 'Deployment/shop/frontend-v1' }],
  },
  {
    title: "details' locality label patched to a zone without a region",
    code: 'MCL0034',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh({ spec: REGIONAL });
      apiObjectIn(constructOf(mesh, 'bookinfo').partIn(EAST), 'Deployment', 'details-v1', NAMESPACE).addJsonPatch(
        JsonPatch.replace(pointer('spec', 'template', 'metadata', 'labels', LABELS.locality), '.us-east-1a'),
      );
      return mesh;
    },
    expected: [{ code: 'MCL0034', severity: 'error', ...inFolderOf(EAST), object: `Deployment/${NAMESPACE}/details-v1` }],
  },
  {
    title: 'west claiming east\'s region and zone on another network',
    code: 'MCL0035',
    through: 'props',
    build: () =>
      composeMesh({
        spec: { ...REGIONAL, clusters: [REGIONAL.clusters[0], { ...REGIONAL.clusters[1], region: 'us-east', zone: 'us-east-1a', network: 'network2' }, REGIONAL.clusters[2]] },
      }),
    expected: [{ code: 'MCL0035', severity: 'warning', ...inFolderOf(WEST), object: `Deployment/${ISTIO_SYSTEM_NAMESPACE}/istio-eastwestgateway` }],
  },
  {
    title: "a remote's Istio edited to name the control plane in clusterName",
    code: 'MCL0040',
    through: 'escape hatch',
    build: () => {
      const mesh = sailMesh();
      apiObjectIn(constructOf(mesh, 'sail').partIn(WEST), 'Istio', 'default').addJsonPatch(JsonPatch.replace(pointer('spec', 'values', 'global', 'multiCluster', 'clusterName'), EAST));
      return mesh;
    },
    expected: [{ code: 'MCL0040', severity: 'error', ...inFolderOf(WEST), object: 'Istio/default' }],
  },
  {
    title: "a remote's injected namespace given istio.io/rev beside istio-injection",
    code: 'MCL0041',
    through: 'escape hatch',
    build: () => {
      const mesh = sailMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-mtls').partIn(WEST), 'Namespace', NAMESPACE).metadata.addLabel(LABELS.revision, 'prod');
      return mesh;
    },
    expected: [{ code: 'MCL0041', severity: 'error', ...inFolderOf(WEST), object: `Namespace/${NAMESPACE}` }],
  },
  {
    title: "Bookinfo's namespaces on a canary revision whose remote injection webhooks the mesh does not write yet",
    code: 'MCL0100',
    through: 'props',
    build: () =>
      composeMesh({
        spec: { ...SPEC, mesh: { revisions: [{ name: 'default', istioVersion: '1.30' }, { name: '1-29-6', istioVersion: '1.29' }], revisionTags: { canary: '1-29-6' } } },
        mtls: () => ({ revision: 'canary' }),
      }),
    expected: [NORTH, WEST].map((cluster) => ({
      code: 'MCL0100',
      severity: 'error',
      ...inFolderOf(cluster),
      object: `Namespace/${NAMESPACE}`,
      message: `namespace ${NAMESPACE} selects istio.io/rev=canary, which no injection webhook of cluster ${cluster} serves (its webhooks serve: default): pods start without a sidecar`,
    })),
  },
  {
    title: "a remote's Istio edited without profile remote",
    code: 'MCL0042',
    through: 'escape hatch',
    build: () => {
      const mesh = sailMesh();
      apiObjectIn(constructOf(mesh, 'sail').partIn(NORTH), 'Istio', 'default').addJsonPatch(JsonPatch.remove(pointer('spec', 'profile')));
      return mesh;
    },
    expected: [{ code: 'MCL0042', severity: 'error', ...inFolderOf(NORTH), object: 'Istio/default' }],
  },
  {
    title: 'an IstioRevisionTag added to a remote',
    code: 'MCL0043',
    through: 'escape hatch',
    build: () => {
      const mesh = sailMesh();
      new ApiObject(mesh.clusterChart(WEST), 'tag', { apiVersion: 'sailoperator.io/v1', kind: 'IstioRevisionTag', metadata: { name: 'prod' }, spec: { targetRef: { kind: 'Istio', name: 'default' } } });
      return mesh;
    },
    expected: [{ code: 'MCL0043', severity: 'error', ...inFolderOf(WEST), object: 'IstioRevisionTag/prod' }],
  },
  {
    title: 'a second cert-manager root made in a remote beside the control plane\'s',
    code: 'MCL0130',
    through: 'escape hatch',
    build: () => {
      const mesh = certManagerMesh();
      const meta = (name: string) => ({ name, namespace: ISTIO_SYSTEM_NAMESPACE });
      const issuerRef = (name: string) => ({ group: 'cert-manager.io', kind: 'Issuer', name });
      addRaw(mesh, WEST, 'root-issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta('own-root'), spec: { selfSigned: {} } });
      addRaw(mesh, WEST, 'root', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('own-root-ca'), spec: { isCA: true, commonName: 'Root CA', secretName: 'own-root-ca', issuerRef: issuerRef('own-root') } });
      addRaw(mesh, WEST, 'ca-issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta('own-root-ca'), spec: { ca: { secretName: 'own-root-ca' } } });
      addRaw(mesh, WEST, 'intermediate', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('cacerts'), spec: { isCA: true, commonName: 'Intermediate CA', secretName: 'cacerts', issuerRef: issuerRef('own-root-ca') } });
      return mesh;
    },
    expected: [{ code: 'MCL0130', severity: 'error', ...inFolderOf(WEST), object: 'Certificate/istio-system/cacerts' }],
  },
  {
    title: "mesh.trust's intermediate edited to be no CA",
    code: 'MCL0131',
    through: 'escape hatch',
    build: () => {
      const mesh = certManagerMesh();
      apiObjectIn(constructOf(mesh, 'trust').partIn(EAST), 'Certificate', 'cacerts', ISTIO_SYSTEM_NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'isCA'), false));
      return mesh;
    },
    expected: [{ code: 'MCL0131', severity: 'error', ...inFolderOf(EAST), object: 'Certificate/istio-system/cacerts' }],
  },
  {
    title: 'an istio-csr added to a remote with the chart\'s default cluster ID',
    code: 'MCL0132',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      addRaw(mesh, WEST, 'istio-csr', istioCsrDeployment('Kubernetes', 'default') as ApiObjectProps);
      return mesh;
    },
    expected: [{ code: 'MCL0132', severity: 'error', ...inFolderOf(WEST), object: 'Deployment/cert-manager/cert-manager-istio-csr' }],
  },
  {
    title: 'an istio-csr added to a remote that serves no revision the mesh runs',
    code: 'MCL0133',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      addRaw(mesh, WEST, 'istio-csr', istioCsrDeployment(WEST, 'canary') as ApiObjectProps);
      return mesh;
    },
    expected: [{ code: 'MCL0133', severity: 'error', ...inFolderOf(WEST), object: 'Deployment/cert-manager/cert-manager-istio-csr' }],
  },
  {
    title: 'an istio-ca-root-cert ConfigMap added to a remote',
    code: 'MCL0134',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      addRaw(mesh, WEST, 'root-cert', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace: NAMESPACE }, data: { 'root-cert.pem': 'x' } });
      return mesh;
    },
    expected: [{ code: 'MCL0134', severity: 'error', ...inFolderOf(WEST), object: `ConfigMap/${NAMESPACE}/istio-ca-root-cert` }],
  },
  {
    title: 'a cacerts Secret with its key added to the control plane',
    code: 'MCL0135',
    through: 'escape hatch',
    build: () => {
      const mesh = composeMesh();
      addRaw(mesh, EAST, 'cacerts', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cacerts', namespace: ISTIO_SYSTEM_NAMESPACE }, stringData: { 'ca-key.pem': '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' } });
      return mesh;
    },
    expected: [{ code: 'MCL0135', severity: 'error', ...inFolderOf(EAST), object: 'Secret/istio-system/cacerts', path: '/stringData/ca-key.pem' }],
  },
  {
    // TlsGateway gives its Route the Gateway's host; only an edited Route misses it.
    title: "a Route in front of the gateway with another host than the Gateway's",
    code: 'MCL0120',
    through: 'escape hatch',
    build: () => {
      const mesh = routedMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').partIn(WEST), 'Route', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'host'), 'shop.example.com'));
      return mesh;
    },
    expected: [{ code: 'MCL0120', severity: 'error', ...inFolderOf(WEST), object: `Route/${NAMESPACE}/${GATEWAY}` }],
  },
  {
    title: "a Route in front of the gateway to the Service's status port",
    code: 'MCL0121',
    through: 'escape hatch',
    build: () => {
      const mesh = routedMesh();
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').partIn(WEST), 'Route', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('spec', 'port', 'targetPort'), 'status-port'));
      return mesh;
    },
    expected: [{ code: 'MCL0121', severity: 'error', ...inFolderOf(WEST), object: `Route/${NAMESPACE}/${GATEWAY}` }],
  },
  {
    // The model refuses two clusters with one set identifier; an edited annotation makes them so.
    title: "two clusters' gateway Services with one external-dns set identifier",
    code: 'MCL0122',
    through: 'escape hatch',
    build: () => {
      const mesh = buildMesh(Inventory.fromSpec({ ...SPEC, mesh: { globalLoadBalancer: { provider: 'external-dns', hostname: HOST } } }));
      apiObjectIn(constructOf(mesh, 'bookinfo-gateway').partIn(WEST), 'Service', GATEWAY, NAMESPACE).addJsonPatch(JsonPatch.replace(pointer('metadata', 'annotations', 'external-dns.kubernetes.io/set-identifier'), EAST));
      return mesh;
    },
    expected: [
      { code: 'MCL0122', severity: 'error', ...inFolderOf(EAST), object: `Service/${NAMESPACE}/${GATEWAY}` },
      { code: 'MCL0122', severity: 'error', ...inFolderOf(WEST), object: `Service/${NAMESPACE}/${GATEWAY}` },
    ],
  },
];

describe('analyzers on meshes built with the constructs', () => {
  it('find nothing wrong in the mesh buildMesh builds', () => {
    // GIVEN the standard constructs for three clusters with Bookinfo split over them
    const mesh = buildMesh(Inventory.fromSpec(SPEC));

    // WHEN it is synthesized
    const output = synthesizeOutput(mesh);

    // THEN neither the analyzers nor the constructs (whose warnings are findings too) report anything
    expect(output.findings).toEqual([]);
  });

  it('find nothing wrong in the same mesh installed by the Sail operator', () => {
    // GIVEN the same mesh with the sail installer
    // WHEN it is synthesized
    const output = synthesizeOutput(sailMesh());
    // THEN neither the analyzers nor the constructs (whose warnings are findings too) report anything
    expect(output.findings).toEqual([]);
  });

  it('start the broken meshes from that same mesh, composed by hand', () => {
    // GIVEN the constructs composed by hand as buildMesh composes them
    const byHand = composeMesh();

    // WHEN both are synthesized
    const handManifests = synthesizeMesh(byHand).manifests;
    const built = synthesizeMesh(buildMesh(Inventory.fromSpec(SPEC))).manifests;

    // THEN they emit the same manifests, with no finding
    expect(handManifests).toEqual(built);
    expect(synthesizeOutput(byHand).findings).toEqual([]);
  });

  it.each(BROKEN)('report $code for $title ($through)', ({ build, expected }) => {
    // GIVEN the mesh, broken through the constructs
    const mesh = build();

    // WHEN it is synthesized and analyzed
    const output = synthesizeOutput(mesh);

    // THEN exactly the expected findings come out, nothing else: errors fail synth, warnings only under --strict
    expect(output.findings).toMatchObject(expected);
    expect(output.constructWarnings).toEqual([]);
    const hasErrors = expected.some((finding) => finding.severity === 'error');
    expect(failingFindings(output.findings).length > 0).toBe(hasErrors);
    // (info findings never fail, not even under --strict)
    expect(failingFindings(output.findings, true)).toHaveLength(expected.filter((finding) => finding.severity !== 'info').length);
    // AND with errors nothing is rendered, so nothing could be written
    expect(output.tree.size === 0).toBe(hasErrors);
  });

  it('break the mesh for every code an analyzer reports, and for the five forms of IST0101', () => {
    // GIVEN the codes of all analyzers
    const codes = new Set(ANALYZERS.flatMap((analyzer) => analyzer.codes));

    // WHEN compared with the codes the broken meshes produce
    const tested = new Set(BROKEN.flatMap((broken) => broken.expected.map((finding) => finding.code)));

    // THEN none is left untested, and IST0101 is fired by a missing Gateway, host, subset, port and credential
    expect([...codes].filter((code) => !tested.has(code))).toEqual([]);
    expect(BROKEN.filter((broken) => broken.code === 'IST0101')).toHaveLength(5);
  });
});
