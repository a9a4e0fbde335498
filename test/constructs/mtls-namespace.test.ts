import { readFileSync } from 'node:fs';
import { Construct } from 'constructs';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MtlsNamespace, requireNamespaceIn, type MtlsNamespaceProps } from '../../constructs/mtls-namespace';
import { Mesh } from '../../lib/model/mesh';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';
import { HAS_UPSTREAM, upstreamPath } from '../support/upstream';

const UPSTREAM_MTLS_RULES = upstreamPath('istio', 'samples', 'bookinfo', 'networking', 'destination-rule-all-mtls.yaml');

/** east is the control plane; west and north are remotes. */
function threeClusterMesh(istioVersion?: string): IstioMesh {
  const model = Mesh.fromSpec({
    mesh: { istioVersion },
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
      { name: 'west', url: 'https://api.west.example.com:6443' },
      { name: 'north', url: 'https://api.north.example.com:6443' },
    ],
  });
  return new IstioMesh(undefined, 'mesh', { mesh: model });
}

const BOOKINFO_SERVICES = [
  { name: 'productpage', subsets: ['v1'] },
  { name: 'reviews', subsets: ['v1', 'v2', 'v3'] },
];

function synth(props: MtlsNamespaceProps, istioVersion?: string) {
  const mesh = threeClusterMesh(istioVersion);
  const mtls = new MtlsNamespace(mesh, 'mtls', props);
  const { manifests } = synthesizeMesh(mesh);
  return { mtls, manifests, all: [...[...manifests.clusters.values()].flat(), ...manifests.controlPlane] };
}

const named = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name);

describe('MtlsNamespace', () => {
  it('puts the injection-enabled Namespace in its clusters and always in the control-plane cluster', () => {
    // GIVEN the namespace's workloads run only on the remote west
    // WHEN synthesized
    const { mtls, manifests } = synth({ namespace: 'bookinfo', clusters: ['west'], services: BOOKINFO_SERVICES });
    // THEN west and the control-plane cluster east get the Namespace, north nothing
    expect(mtls.clusters).toEqual(['east', 'west']);
    for (const cluster of ['east', 'west']) {
      expect(manifests.clusters.get(cluster)).toEqual([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo', labels: { 'istio-injection': 'enabled' } } },
      ]);
    }
    expect(manifests.clusters.get('north')).toEqual([]);
  });

  it('puts a namespace-wide STRICT PeerAuthentication and ISTIO_MUTUAL DestinationRules only on the control plane', () => {
    // GIVEN every cluster (the default)
    // WHEN synthesized
    const { manifests } = synth({ namespace: 'bookinfo', services: BOOKINFO_SERVICES });
    // THEN the Istio objects are in the control-plane folder and in no cluster folder
    expect(manifests.controlPlane.find((m) => m.kind === 'PeerAuthentication')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'bookinfo' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(named(manifests.controlPlane, 'DestinationRule')).toEqual(['productpage', 'reviews']);
    for (const clusterManifests of manifests.clusters.values()) expect(named(clusterManifests, 'Namespace')).toEqual(['bookinfo']);
  });

  it.skipIf(!HAS_UPSTREAM)('renders the DestinationRules of upstream destination-rule-all-mtls.yaml', () => {
    // GIVEN the services and subsets of the upstream sample
    const upstream = loadAll(readFileSync(UPSTREAM_MTLS_RULES, 'utf8')).filter(Boolean) as Manifest[];
    const services = upstream.map((rule) => ({
      name: rule.metadata.name,
      subsets: (rule.spec as { subsets: { name: string }[] }).subsets.map((subset) => subset.name),
    }));
    // WHEN synthesized
    const { manifests } = synth({ namespace: 'bookinfo', services });
    // THEN each rule has the upstream apiVersion, name and spec, in the namespace
    const rules = manifests.controlPlane.filter((m) => m.kind === 'DestinationRule');
    expect(rules).toEqual(upstream.map((rule) => ({ ...rule, metadata: { ...rule.metadata, namespace: 'bookinfo' } })));
  });

  it('omits subsets for a service that lists none', () => {
    // GIVEN a service without versions WHEN synthesized
    const { manifests } = synth({ namespace: 'shop', services: [{ name: 'cart' }] });
    // THEN its rule only sets mutual TLS
    expect(manifests.controlPlane.find((m) => m.kind === 'DestinationRule')?.spec).toEqual({ host: 'cart', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
  });

  it.each([
    ['1.24', 'security.istio.io/v1', 'networking.istio.io/v1'],
    ['1.30', 'security.istio.io/v1', 'networking.istio.io/v1'],
  ] as const)('renders the API of Istio %s', (istioVersion, security, networking) => {
    // GIVEN a mesh targeting that Istio release WHEN synthesized
    const { manifests } = synth({ namespace: 'bookinfo', services: BOOKINFO_SERVICES }, istioVersion);
    // THEN the release decides the apiVersions
    expect(manifests.controlPlane.map((m) => `${m.apiVersion} ${m.kind}`)).toEqual([
      `${security} PeerAuthentication`,
      `${networking} DestinationRule`,
      `${networking} DestinationRule`,
    ]);
  });

  it('emits only schema-valid objects and a stable output', () => {
    // GIVEN a namespace on a subset of clusters
    for (const level of ['v1'] as const) {
      // WHEN synthesized
      const { all } = synth({ namespace: 'bookinfo', clusters: ['north'], services: BOOKINFO_SERVICES });
      // THEN every object validates and the output matches the snapshot
      expectValidManifests(all);
      expect(all).toMatchSnapshot(level);
    }
  });

  it.each([
    [{ namespace: 'Book_Info', services: [] }, 'MtlsNamespace namespace "Book_Info" is not a DNS-1123 label'],
    [{ namespace: 'bookinfo', clusters: ['south'], services: [] }, 'Unknown cluster "south"; the mesh has: east, west, north'],
    [{ namespace: 'bookinfo', services: [{ name: 'Reviews' }] }, 'MtlsNamespace service "Reviews" is not a DNS-1123 label'],
    [{ namespace: 'bookinfo', services: [{ name: 'reviews' }, { name: 'reviews' }] }, 'MtlsNamespace service "reviews" is listed twice'],
    [{ namespace: 'bookinfo', services: [{ name: 'reviews', subsets: ['v1', 'v1'] }] }, 'MtlsNamespace service "reviews" lists subset "v1" twice'],
  ])('rejects bad props at once (%#)', (props, message) => {
    // GIVEN bad props WHEN the construct is created THEN it throws naming the value
    expect(() => new MtlsNamespace(threeClusterMesh(), 'mtls', props)).toThrow(message);
  });
});

describe('requireNamespaceIn', () => {
  it('fails synthesis for each cluster whose folder lacks the Namespace', () => {
    // GIVEN a construct that needs namespace shop in west and north, and an MtlsNamespace covering only west
    const mesh = threeClusterMesh();
    new MtlsNamespace(mesh, 'mtls', { namespace: 'shop', clusters: ['west'], services: [] });
    requireNamespaceIn(new Construct(mesh, 'needs-shop'), mesh, 'shop', ['west', 'north']);
    // WHEN synthesized THEN north is named as missing it
    expect(() => synthesizeMesh(mesh)).toThrow(
      '[mesh/needs-shop] Namespace "shop" is not emitted for cluster "north", where this construct places objects in it; cover that cluster with an MtlsNamespace or add the Namespace',
    );
  });
});
