import { describe, expect, it } from 'vitest';
import { AppSplit, type AppSplitProps } from '../../constructs/app-split';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import type { AppDefinition, WorkloadVersion } from '../../lib/model/app-definition';
import { Mesh } from '../../lib/model/mesh';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';

/** A user's own application: a frontend calling a cart and a catalog, cart v2 calling a database. */
const SHOP: AppDefinition = {
  name: 'shop',
  services: [
    { name: 'frontend', port: 8080, serviceAccount: 'frontend', calls: ['cart', 'catalog'], versions: [{ version: 'v1', image: 'example.com/frontend:1' }] },
    {
      name: 'cart',
      port: 7070,
      portName: 'grpc',
      targetPort: 7000,
      serviceAccount: 'shop',
      serviceAccountLabels: { team: 'shop' },
      versions: [
        { version: 'v1', image: 'example.com/cart:1' },
        { version: 'v2', image: 'example.com/cart:2', calls: ['db'], env: { DB_HOST: 'db' }, replicas: 3 },
      ],
    },
    { name: 'catalog', port: 8080, serviceAccount: 'shop', versions: [{ version: 'v1', image: 'example.com/catalog:1', podAnnotations: { 'example.com/owner': 'shop' } }] },
    { name: 'db', port: 5432, portName: 'tcp-postgres', serviceAccount: 'db', versions: [{ version: 'v1', image: 'example.com/db:1', emptyDirs: { data: '/var/lib/db' } }] },
  ],
};

/** frontend on the control plane east, cart v2 on west, everything else on north. */
const SPLIT = { 'frontend-v1': ['east'], 'cart-v2': ['west'], 'default': ['north'] };

function shopMesh(): IstioMesh {
  const model = Mesh.fromSpec({
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
      { name: 'west', url: 'https://api.west.example.com:6443' },
      { name: 'north', url: 'https://api.north.example.com:6443' },
    ],
  });
  return new IstioMesh(undefined, 'mesh', { mesh: model });
}

/** Splits the shop (namespace shop, made mTLS in every cluster) and synthesizes the mesh. */
function synthShop(patch: Partial<AppSplitProps> = {}) {
  const mesh = shopMesh();
  const split = new AppSplit(mesh, 'shop', { app: SHOP, namespace: 'shop', placement: SPLIT, ...patch });
  new MtlsNamespace(mesh, 'mtls', { namespace: 'shop', services: split.mtlsServices });
  const { manifests } = synthesizeMesh(mesh);
  const objects = (cluster: string, kind: string) => manifests.clusters.get(cluster)!.filter((m) => m.kind === kind) as (Manifest & { spec: any })[];
  return { split, manifests, objects, names: (cluster: string, kind: string) => objects(cluster, kind).map((m) => m.metadata.name) };
}

describe('AppSplit', () => {
  it('runs each workload only where placed', () => {
    // GIVEN the shop split over three clusters WHEN synthesized
    const { split, names } = synthShop();
    // THEN each cluster runs exactly its workloads
    expect(names('east', 'Deployment')).toEqual(['frontend-v1']);
    expect(names('west', 'Deployment')).toEqual(['cart-v2']);
    expect(names('north', 'Deployment')).toEqual(['cart-v1', 'catalog-v1', 'db-v1']);
    expect(split.workloadsIn('north')).toEqual(['cart-v1', 'catalog-v1', 'db-v1']);
    expect(split.clustersOf('cart-v2')).toEqual(['west']);
    expect(split.clusters).toEqual(['east', 'west', 'north']);
  });

  it('puts each Service where it runs and where it is called', () => {
    // GIVEN frontend (east) calls cart and catalog, which run elsewhere; cart-v2 (west) calls db (north)
    // WHEN synthesized
    const { split, names } = synthShop();
    // THEN callers' clusters have the Services they call, and no cluster has an unused one
    expect(names('east', 'Service')).toEqual(['frontend', 'cart', 'catalog']);
    expect(names('west', 'Service')).toEqual(['cart', 'db']);
    expect(names('north', 'Service')).toEqual(['cart', 'catalog', 'db']);
    expect(['east', 'west', 'north'].map((cluster) => split.servicesIn(cluster))).toEqual([
      ['frontend', 'cart', 'catalog'],
      ['cart', 'db'],
      ['cart', 'catalog', 'db'],
    ]);
    expect(split.callersOf('db')).toEqual(['cart-v2']);
  });

  it('emits a ServiceAccount once in each cluster running a workload that uses it', () => {
    // GIVEN cart and catalog share the account shop WHEN synthesized
    const { objects, names } = synthShop();
    // THEN clusters that only call a service do not get its account, and a shared one comes once
    expect(names('east', 'ServiceAccount')).toEqual(['frontend']);
    expect(names('west', 'ServiceAccount')).toEqual(['shop']);
    expect(names('north', 'ServiceAccount')).toEqual(['shop', 'db']);
    expect(objects('north', 'ServiceAccount')[0].metadata).toEqual({ name: 'shop', namespace: 'shop', labels: { team: 'shop' } });
  });

  it('renders the Service and Deployment of a version from its definition', () => {
    // GIVEN cart v2 with its own calls, env and replicas, behind a grpc port WHEN synthesized
    const { objects } = synthShop();
    // THEN the Service names the port and forwards to the container port
    expect(objects('west', 'Service').find((m) => m.metadata.name === 'cart')).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: 'shop', labels: { app: 'cart', service: 'cart' } },
      spec: { ports: [{ port: 7070, name: 'grpc', targetPort: 7000 }], selector: { app: 'cart' } },
    });
    // AND the Deployment carries the labels, account, container and the calls it makes
    expect(objects('west', 'Deployment')[0]).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart-v2', namespace: 'shop', labels: { app: 'cart', version: 'v2' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'cart', version: 'v2' } },
        template: {
          metadata: { labels: { app: 'cart', version: 'v2' }, annotations: { 'mesh.cdk8s.io/calls': 'db' } },
          spec: {
            serviceAccountName: 'shop',
            containers: [
              { name: 'cart', image: 'example.com/cart:2', imagePullPolicy: 'IfNotPresent', env: [{ name: 'DB_HOST', value: 'db' }], ports: [{ containerPort: 7000 }] },
            ],
          },
        },
      },
    });
  });

  it('annotates only versions that call something, next to their own annotations', () => {
    // GIVEN frontend calls two services, catalog none but has an annotation, db none WHEN synthesized
    const { objects } = synthShop();
    const annotations = (cluster: string, name: string) => objects(cluster, 'Deployment').find((m) => m.metadata.name === name)!.spec.template.metadata.annotations;
    // THEN the calls annotation lists the callees in definition order
    expect(annotations('east', 'frontend-v1')).toEqual({ 'mesh.cdk8s.io/calls': 'cart,catalog' });
    expect(annotations('north', 'catalog-v1')).toEqual({ 'example.com/owner': 'shop' });
    expect(annotations('north', 'db-v1')).toBeUndefined();
    expect(annotations('north', 'cart-v1')).toBeUndefined();
  });

  it('accepts the resolved placement map of the mesh model, and places everything everywhere by default', () => {
    // GIVEN the same split as a Map, and no placement at all
    const asMap = synthShop({ placement: new Map(Object.entries(SPLIT)) });
    const everywhere = synthShop({ placement: undefined });
    // THEN the Map places like the object, and the default runs every workload in every cluster
    expect(asMap.split.placement).toEqual(synthShop().split.placement);
    for (const cluster of ['east', 'west', 'north']) {
      expect(everywhere.names(cluster, 'Deployment')).toEqual(['frontend-v1', 'cart-v1', 'cart-v2', 'catalog-v1', 'db-v1']);
    }
  });

  it('exposes the services and their versions as mTLS subsets', () => {
    // GIVEN the shop WHEN split THEN each service lists every version
    // AND the clusters running it, for locality load balancing
    expect(synthShop().split.mtlsServices).toEqual([
      { name: 'frontend', subsets: ['v1'], clusters: ['east'] },
      { name: 'cart', subsets: ['v1', 'v2'], clusters: ['north', 'west'] },
      { name: 'catalog', subsets: ['v1'], clusters: ['north'] },
      { name: 'db', subsets: ['v1'], clusters: ['north'] },
    ]);
  });

  it('emits only schema-valid objects, only into cluster folders, and a stable output', () => {
    // GIVEN the shop split WHEN synthesized
    const { manifests } = synthShop();
    const clusterObjects = [...manifests.clusters.values()].flat();
    // THEN every object validates and the split adds nothing to the control plane
    expectValidManifests(clusterObjects);
    expect(manifests.controlPlane.map((m) => m.kind)).toEqual(['PeerAuthentication', 'DestinationRule', 'DestinationRule', 'DestinationRule', 'DestinationRule']);
    expect(clusterObjects).toMatchSnapshot();
  });

  it('fails synthesis when a cluster running workloads lacks the Namespace', () => {
    // GIVEN the shop without any Namespace
    const mesh = shopMesh();
    new AppSplit(mesh, 'shop', { app: SHOP, namespace: 'shop', placement: SPLIT });
    // WHEN synthesized THEN the first cluster lacking it is named
    expect(() => synthesizeMesh(mesh)).toThrow('[mesh/shop] Namespace "shop" is not emitted for cluster "east"');
  });

  it('throws for a workload the app does not have', () => {
    // GIVEN a split WHEN asked for an unknown workload THEN it names the workloads it has
    expect(() => synthShop().split.clustersOf('cart-v3')).toThrow('App "shop" has no workload "cart-v3" (expected one of: frontend-v1, cart-v1, cart-v2, catalog-v1, db-v1)');
  });

  const withService = (patch: object, index = 1): AppDefinition => ({ ...SHOP, services: SHOP.services.map((service, i) => (i === index ? { ...service, ...patch } : service)) });
  /** The shop with cart v1 changed. */
  const withVersion = (patch: Partial<WorkloadVersion>): AppDefinition => withService({ versions: [{ ...SHOP.services[1].versions[0], ...patch }, SHOP.services[1].versions[1]] });

  it('renders args, resources and probes of a version into its container', () => {
    // GIVEN cart v1 with arguments, resources, an HTTP readiness probe and a TCP liveness probe
    const app = withVersion({
      args: ['--port', '7000'],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      readinessProbe: { httpPath: '/ready', periodSeconds: 5 },
      livenessProbe: { initialDelaySeconds: 10, failureThreshold: 6 },
    });
    // WHEN synthesized
    const { objects, manifests } = synthShop({ app });
    // THEN the container carries them as Kubernetes spells them, on the container port
    const [container] = objects('north', 'Deployment').find((deployment) => deployment.metadata.name === 'cart-v1')!.spec.template.spec.containers;
    expect(container.args).toEqual(['--port', '7000']);
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 7000 }, periodSeconds: 5 });
    expect(container.livenessProbe).toEqual({ tcpSocket: { port: 7000 }, initialDelaySeconds: 10, failureThreshold: 6 });
    expectValidManifests([...manifests.clusters.values()].flat());
  });

  it.each([
    [{ namespace: 'Shop' }, 'AppSplit namespace "Shop" is not a DNS-1123 label'],
    [{ namespace: 'kube-system' }, 'AppSplit namespace "kube-system" is reserved: Kubernetes\' own (and where the CNI plugin\'s node agent runs); choose a namespace of the application\'s own'],
    [{ namespace: 'istio-system' }, 'AppSplit namespace "istio-system" is reserved: where the mesh runs istiod and its gateways'],
    [{ placement: { 'cart-v3': ['west'] } }, 'AppSplit placement.cart-v3: unknown workload "cart-v3" (expected one of: frontend-v1, cart-v1, cart-v2, catalog-v1, db-v1, default)'],
    [{ placement: { 'cart-v2': ['south'] } }, 'AppSplit placement.cart-v2[0]: unknown cluster "south" (expected one of: east, west, north)'],
    [{ placement: { default: [] } }, 'AppSplit placement.default: names no cluster; list at least one, or leave the workload out'],
    [{ app: withService({ name: 'Cart' }) }, 'App "shop" service "Cart" is not a DNS-1035 label'],
    [{ app: withService({ name: 'frontend' }) }, 'App "shop" defines service "frontend" twice; service names must be unique'],
    [{ app: withService({ versions: [SHOP.services[1].versions[0], SHOP.services[1].versions[0]] }) }, 'App "shop" service "cart" defines version "v1" twice'],
    [{ app: withService({ calls: ['payments'] }, 0) }, 'App "shop" workload "frontend-v1" calls unknown service "payments" (expected one of: frontend, cart, catalog, db)'],
    [{ app: withVersion({ resources: { requests: { cpu: '100 millicores' } } }) }, 'App "shop" workload "cart-v1" resources.requests.cpu: "100 millicores" is no Kubernetes quantity (expected e.g. 100m, 0.5, 128Mi, 1G)'],
    [{ app: withVersion({ resources: { limits: { constructor: '1' } } }) }, 'App "shop" workload "cart-v1" resources.limits.constructor: "constructor" is not a standard container resource (cpu, memory, ephemeral-storage or hugepages-<size>); an extended resource needs a domain prefix (example.com/constructor)'],
    [{ app: withVersion({ resources: { requests: { 'example.com/requests.gpu': '1', 'requests.example.com/gpu': '1' } } }) }, 'App "shop" workload "cart-v1" resources.requests.requests.example.com/gpu: "requests.example.com/gpu" does not follow the extended resource name standard (requests.requests.example.com/gpu must be a qualified name too)'],
    [{ app: withVersion({ readinessProbe: { periodSeconds: 0 } }) }, 'App "shop" workload "cart-v1" readinessProbe.periodSeconds: 0 is not a whole number >= 1'],
    [{ app: withVersion({ livenessProbe: { httpPath: 'healthz' } }) }, 'App "shop" workload "cart-v1" livenessProbe.httpPath: "healthz" must start with /'],
    // From JavaScript, which the types do not guard.
    [{ app: withVersion({ readinessProbe: null as never }) }, 'App "shop" workload "cart-v1" readinessProbe: null is no value; leave the setting out, or give it'],
    [{ app: withVersion({ resources: null as never }) }, 'App "shop" workload "cart-v1" resources: null is no value; leave the setting out, or give it'],
  ])('rejects bad props at once (%#)', (patch, message) => {
    // GIVEN bad props WHEN the construct is created THEN it throws naming the value
    expect(() => new AppSplit(shopMesh(), 'shop', { app: SHOP, namespace: 'shop', ...patch })).toThrow(message);
  });
});
