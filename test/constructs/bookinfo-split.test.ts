import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BOOKINFO_INGRESS_ROUTES, BookinfoSplit, type BookinfoSplitProps } from '../../constructs/presets/bookinfo/bookinfo-split';
import type { BookinfoRouting } from '../../constructs/presets/bookinfo/bookinfo-spec';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { TlsGateway } from '../../constructs/tls-gateway';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import { Inventory } from '../../lib/inventory/inventory';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';
import { HAS_UPSTREAM, upstreamPath } from '../support/upstream';

const upstream = (path: string) => loadAll(readFileSync(upstreamPath('istio', 'samples', 'bookinfo', path), 'utf8')).filter(Boolean) as Manifest[];

/** The hybrid seed: IBM Cloud Private hosts the control plane, IKS is a remote. */
const HYBRID: MeshSpec = {
  clusters: [
    { name: 'icp', url: 'https://icp.example.com:8001', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
    { name: 'iks', url: 'https://iks.example.com:31000' },
  ],
};
/** productpage and everything else on icp, reviews-v3 only on iks. */
const REVIEWS_V3_ON_IKS = { 'reviews-v3': ['iks'], 'default': ['icp'] };


/** What the caller composes: BookinfoSplit, MtlsNamespace over the clusters it runs in, and the seed's TLS gateway. */
function synthBookinfo(splitProps: BookinfoSplitProps = {}, istioVersion?: string) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ ...HYBRID, mesh: { istioVersion } }) });
  const split = new BookinfoSplit(mesh, 'bookinfo', splitProps);
  new MtlsNamespace(mesh, 'mtls', { namespace: split.namespace, services: split.mtlsServices });
  new TlsGateway(mesh, 'gateway', { namespace: split.namespace, hosts: ['bookinfo.example.com'], routes: BOOKINFO_INGRESS_ROUTES });
  const { manifests } = synthesizeMesh(mesh);
  const ofKind = (list: readonly Manifest[], kind: string) => list.filter((m) => m.kind === kind);
  return { mesh, split, manifests, ofKind, names: (cluster: string, kind: string) => ofKind(manifests.clusters.get(cluster)!, kind).map((m) => m.metadata.name) };
}

/** Our Bookinfo objects as upstream writes them: no namespace, no calls annotation. */
function withoutMeshAdditions(manifest: Manifest): Manifest {
  const json = JSON.parse(JSON.stringify(manifest));
  delete json.metadata.namespace;
  const pod = json.spec?.template?.metadata;
  if (pod?.annotations) {
    delete pod.annotations['mesh.cdk8s.io/calls'];
    if (Object.keys(pod.annotations).length === 0) delete pod.annotations;
  }
  return json;
}

/** Volume order carries no meaning (upstream lists reviews' volumes in the reverse order of their mounts). */
function withSortedVolumes(manifest: Manifest): Manifest {
  const volumes = (manifest as any).spec?.template?.spec?.volumes as { name: string }[] | undefined;
  volumes?.sort((a, b) => a.name.localeCompare(b.name));
  return manifest;
}

const withNamespace = (manifest: Manifest, namespace: string) => ({ ...manifest, metadata: { ...manifest.metadata, namespace } });

describe('BookinfoSplit', () => {
  it.skipIf(!HAS_UPSTREAM)('renders upstream bookinfo.yaml in a cluster that runs every workload', () => {
    // GIVEN Bookinfo everywhere (the OpenShift seed) WHEN synthesized
    const { manifests, ofKind } = synthBookinfo();
    const bookinfo = manifests.clusters.get('icp')!.filter((m) => ['Service', 'ServiceAccount', 'Deployment'].includes(m.kind) && !m.metadata.name.includes('ingressgateway'));
    // THEN Services, ServiceAccounts and Deployments equal upstream's, object for object
    const expected = upstream('platform/kube/bookinfo.yaml').map(withSortedVolumes);
    expect(bookinfo.map(withoutMeshAdditions).map(withSortedVolumes)).toEqual(expected);
    // AND every object is in the namespace, and callers say what they call
    expect(new Set(bookinfo.map((m) => m.metadata.namespace))).toEqual(new Set(['bookinfo']));
    const calls = Object.fromEntries(ofKind(bookinfo, 'Deployment').map((m) => [m.metadata.name, (m as any).spec.template.metadata.annotations?.['mesh.cdk8s.io/calls']]));
    expect(calls).toEqual({ 'details-v1': undefined, 'ratings-v1': undefined, 'reviews-v1': undefined, 'reviews-v2': 'ratings', 'reviews-v3': 'ratings', 'productpage-v1': 'details,reviews' });
  });

  it('keeps the Services a cluster calls even where their workloads do not run (hybrid seed)', () => {
    // GIVEN productpage on icp and reviews-v3 only on iks WHEN synthesized
    const { split, names } = synthBookinfo({ placement: REVIEWS_V3_ON_IKS });
    // THEN iks runs only reviews-v3, with the Services it serves and calls, and no productpage or details Service
    expect(names('iks', 'Deployment').filter((name) => !name.includes('ingressgateway'))).toEqual(['reviews-v3']);
    expect(names('iks', 'Service').filter((name) => !name.includes('ingressgateway'))).toEqual(['ratings', 'reviews']);
    expect(names('iks', 'ServiceAccount').filter((name) => !name.includes('ingressgateway'))).toEqual(['bookinfo-reviews']);
    // AND icp keeps Service reviews for productpage, though one of its versions runs on iks
    expect(names('icp', 'Deployment').filter((name) => !name.includes('ingressgateway'))).toEqual(['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'productpage-v1']);
    expect(names('icp', 'Service').filter((name) => !name.includes('ingressgateway'))).toEqual(['details', 'ratings', 'reviews', 'productpage']);
    expect(split.clusters).toEqual(['icp', 'iks']);
    expect(split.clustersOf('reviews-v3')).toEqual(['iks']);
  });

  it('takes the placement the inventory resolved from its bookinfo section', () => {
    // GIVEN an inventory's bookinfo section
    const { mesh: model, bookinfo } = Inventory.fromSpec({ ...HYBRID, bookinfo: { host: 'bookinfo.example.com', placement: REVIEWS_V3_ON_IKS, routing: 'v3' } });
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: model });
    // WHEN split with the inventory's values
    const split = new BookinfoSplit(mesh, 'bookinfo', { namespace: bookinfo!.namespace, placement: bookinfo!.placement, routing: bookinfo!.routing });
    // THEN it places as the inventory says
    expect(split.placement).toEqual(bookinfo!.placement);
    expect([split.namespace, split.routing]).toEqual(['bookinfo', 'v3']);
  });

  /** Upstream's all-v1 VirtualServices, with reviews' taken from another sample when one is named. */
  const upstreamRoutes = (reviewsFile?: string) =>
    upstream('networking/virtual-service-all-v1.yaml').map((service) => (reviewsFile && service.metadata.name === 'reviews' ? upstream(reviewsFile)[0] : service));
  it.skipIf(!HAS_UPSTREAM).each([
    ['all-v1', undefined],
    ['v3', 'networking/virtual-service-reviews-v3.yaml'],
    ['jason-v2-v3', 'networking/virtual-service-reviews-jason-v2-v3.yaml'],
  ] as const)('renders routing %s as the upstream samples, only on the control plane', (routing: BookinfoRouting, reviewsFile: string | undefined) => {
    // GIVEN a routing preset and its upstream samples
    const expected = upstreamRoutes(reviewsFile);
    // WHEN synthesized
    const { manifests, ofKind } = synthBookinfo({ routing });
    // THEN each service's VirtualService is upstream's (v3 and jason-v2-v3 are applied over all-v1), in the namespace
    const byName = (list: readonly Manifest[]) => Object.fromEntries(list.map((m) => [m.metadata.name, m]));
    const services = ofKind(manifests.controlPlane, 'VirtualService').filter((m) => !m.metadata.name.includes('ingressgateway'));
    expect(byName(services)).toEqual(byName(expected.map((m) => withNamespace(m, 'bookinfo'))));
    expect([...manifests.clusters.values()].flat().filter((m) => m.apiVersion.includes('istio.io'))).toEqual([]);
  });

  it.each(['1.24', '1.30'])('renders the v1 API of Istio %s', (istioVersion) => {
    // GIVEN a mesh targeting that Istio release WHEN synthesized THEN the routing has its apiVersion
    const { manifests, ofKind } = synthBookinfo({}, istioVersion);
    expect(new Set(ofKind(manifests.controlPlane, 'VirtualService').map((m) => m.apiVersion))).toEqual(new Set(['networking.istio.io/v1']));
  });

  it.skipIf(!HAS_UPSTREAM)('routes ingress as upstream bookinfo-gateway.yaml does, /static included', () => {
    // GIVEN upstream's Bookinfo VirtualService
    const http = (upstream('networking/bookinfo-gateway.yaml').find((doc) => doc.kind === 'VirtualService') as Manifest & { spec: any }).spec.http;
    // WHEN compared with the constant the caller passes to TlsGateway
    // THEN it has upstream's match list to productpage:9080, which holds the seed's four routes
    expect(BOOKINFO_INGRESS_ROUTES).toEqual([{ matches: http[0].match.map((match: { uri: unknown }) => match.uri), destination: { host: 'productpage', port: 9080 } }]);
    expect(BOOKINFO_INGRESS_ROUTES[0].matches).toEqual(
      expect.arrayContaining([{ exact: '/productpage' }, { exact: '/login' }, { exact: '/logout' }, { prefix: '/api/v1/products' }, { prefix: '/static' }]),
    );
  });

  it('emits only schema-valid objects and a stable output for the hybrid seed', () => {
    // GIVEN the hybrid seed with mTLS and the TLS gateway
    // WHEN synthesized
    const { manifests } = synthBookinfo({ placement: REVIEWS_V3_ON_IKS, routing: 'jason-v2-v3' });
    // THEN every object validates and the output matches the snapshot
    const all = [...[...manifests.clusters.values()].flat(), ...manifests.controlPlane];
    expectValidManifests(all);
    expect({ clusters: Object.fromEntries(manifests.clusters), controlPlane: manifests.controlPlane }).toMatchSnapshot('v1');
  });

  it('rejects a routing that is not a preset', () => {
    // GIVEN a routing name from an unchecked source WHEN split THEN it names the presets
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(HYBRID) });
    expect(() => new BookinfoSplit(mesh, 'bookinfo', { routing: 'v2' as BookinfoRouting })).toThrow('BookinfoSplit routing "v2" is not a preset (expected one of: all-v1, v3, jason-v2-v3)');
  });
});
