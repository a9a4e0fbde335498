import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { AppSplit } from '../../constructs/app-split';
import { InstallValues } from '../../constructs/install-values';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import type { AppDefinition } from '../../lib/model/app-definition';
import { DEFAULT_OUTLIER_DETECTION } from '../../lib/model/locality';
import { Mesh } from '../../lib/model/mesh';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { analyzeMesh } from '../../lib/analyzers';
import { expectValidManifests } from '../support/schema-validation';

/** Five clusters in three regions: two zones of us-east, two of us-west, one eu-west cluster whose nodes carry topology labels. */
const FIVE_CLUSTERS: InventorySpec = {
  mesh: { locality: { failover: [{ from: 'us-east', to: 'us-west' }, { from: 'us-west', to: 'us-east' }], failoverPriority: ['topology.istio.io/network'] } },
  clusters: [
    { name: 'east-a', url: 'https://api.east-a.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', region: 'us-east', zone: 'us-east-1a' },
    { name: 'east-b', url: 'https://api.east-b.example.com:6443', region: 'us-east', zone: 'us-east-1b' },
    { name: 'west-a', url: 'https://api.west-a.example.com:6443', region: 'us-west', zone: 'us-west-2a' },
    { name: 'west-b', url: 'https://api.west-b.example.com:6443', region: 'us-west', zone: 'us-west-2b', subzone: 'rack7' },
    { name: 'eu', url: 'https://api.eu.example.com:6443', region: 'eu-west', zone: 'eu-west-1a', localityLabel: false },
  ],
  bookinfo: {
    host: 'bookinfo.example.com',
    // ratings runs only in east-a: one locality, nothing to fail over to.
    placement: { 'ratings-v1': ['east-a'], 'default': ['east-a', 'east-b', 'west-a', 'west-b', 'eu'] },
    locality: { details: { mode: 'off' } },
  },
};

const POD_LABELS: Readonly<Record<string, Record<string, string>>> = {
  'east-a': { 'istio-locality': 'us-east.us-east-1a' },
  'east-b': { 'istio-locality': 'us-east.us-east-1b' },
  'west-a': { 'istio-locality': 'us-west.us-west-2a' },
  'west-b': { 'istio-locality': 'us-west.us-west-2b.rack7' },
  'eu': {},
};

type Object = Manifest & Record<string, any>;
const ofKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind) as Object[];
const byName = (manifests: readonly Manifest[], kind: string) => new Map(ofKind(manifests, kind).map((m) => [m.metadata.name, m]));

describe('zone-aware routing over five clusters in three regions', () => {
  const output = synthesizeOutput(buildMesh(Inventory.fromSpec(FIVE_CLUSTERS)));
  const rules = byName(output.manifests.controlPlane, 'DestinationRule');

  it('synthesizes valid objects with no finding', () => {
    expect(output.findings).toEqual([]);
    expectValidManifests([...[...output.manifests.clusters.values()].flat(), ...output.manifests.controlPlane]);
  });

  it('labels every workload and gateway pod with its cluster locality, except where nodes carry it', () => {
    for (const [cluster, manifests] of output.manifests.clusters) {
      const deployments = ofKind(manifests, 'Deployment');
      expect(deployments.length, cluster).toBeGreaterThan(0);
      for (const deployment of deployments) {
        const labels = deployment.spec.template.metadata.labels;
        expect(labels['istio-locality'], `${cluster}/${deployment.metadata.name}`).toBe(POD_LABELS[cluster]['istio-locality']);
        // The selector is left alone: the label is the pod's, not the workload's identity.
        expect(deployment.spec.selector.matchLabels['istio-locality']).toBeUndefined();
      }
    }
  });

  it('gives every multi-locality service the failover policy and outlierDetection', () => {
    for (const service of ['reviews', 'productpage']) {
      expect(rules.get(service)!.spec.trafficPolicy, service).toEqual({
        tls: { mode: 'ISTIO_MUTUAL' },
        loadBalancer: { localityLbSetting: { enabled: true, failover: [{ from: 'us-east', to: 'us-west' }, { from: 'us-west', to: 'us-east' }], failoverPriority: ['topology.istio.io/network'] } },
        outlierDetection: DEFAULT_OUTLIER_DETECTION,
      });
    }
  });

  it("applies a service's own policy, and none to a service in one locality", () => {
    expect(rules.get('details')!.spec.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' }, loadBalancer: { localityLbSetting: { enabled: false } } });
    expect(rules.get('ratings')!.spec.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
  });

  it('renders the mesh-wide policy into the control plane install values', () => {
    const values = load(output.tree.get('install/east-a/istiod-values.yaml')!) as { meshConfig: object };
    expect(values.meshConfig).toEqual({
      trustDomain: 'cluster.local',
      localityLbSetting: { enabled: true, failover: [{ from: 'us-east', to: 'us-west' }, { from: 'us-west', to: 'us-east' }], failoverPriority: ['topology.istio.io/network'] },
    });
  });

  it('groups the clusters of the diagram by region and zone', () => {
    const readme = output.tree.get('README.md')!;
    const diagram = readme.slice(readme.indexOf('```mermaid'));
    const structure = diagram.split('\n').filter((line) => /subgraph|^\s*end$/.test(line)).map((line) => line.replace(/\["[^"]*"\]$/, ''));
    expect(structure).toEqual([
      '  subgraph region_us_east',
      '    subgraph zone_us_east_us_east_1a',
      '      subgraph cluster_east_a',
      '      end',
      '    end',
      '    subgraph zone_us_east_us_east_1b',
      '      subgraph cluster_east_b',
      '      end',
      '    end',
      '  end',
      '  subgraph region_us_west',
      '    subgraph zone_us_west_us_west_2a',
      '      subgraph cluster_west_a',
      '      end',
      '    end',
      '    subgraph zone_us_west_us_west_2b',
      '      subgraph cluster_west_b',
      '      end',
      '    end',
      '  end',
      '  subgraph region_eu_west',
      '    subgraph zone_eu_west_eu_west_1a',
      '      subgraph cluster_eu',
      '      end',
      '    end',
      '  end',
    ]);
    expect(readme).toContain('then (`failover`) from `us-east` to `us-west`, `us-west` to `us-east`, then to any other region.');
    expect(readme).toContain("Istio reads the locality of `eu` (`eu-west/eu-west-1a`) from the nodes' `topology.kubernetes.io/region` and `zone` labels");
    expect(readme).toContain('**The control-plane cluster `east-a`**: the mesh freezes.');
  });
});

/** A cache that must stay in each cluster, and an api calling it. */
const SHOP: AppDefinition = {
  name: 'shop',
  services: [
    { name: 'api', port: 8080, serviceAccount: 'api', calls: ['cache'], versions: [{ version: 'v1', image: 'example.com/api:1' }] },
    { name: 'cache', port: 6379, portName: 'tcp-redis', serviceAccount: 'cache', versions: [{ version: 'v1', image: 'example.com/cache:1' }] },
  ],
};

function regionalMesh(): IstioMesh {
  return new IstioMesh(undefined, 'mesh', {
    mesh: Mesh.fromSpec({
      clusters: [
        { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', region: 'us-east' },
        { name: 'west', url: 'https://api.west.example.com:6443', region: 'us-west' },
      ],
    }),
  });
}

describe('AppSplit locality props', () => {
  function synthShop(props: Partial<ConstructorParameters<typeof AppSplit>[2]>) {
    const mesh = regionalMesh();
    new InstallValues(mesh, 'install');
    const split = new AppSplit(mesh, 'shop', { app: SHOP, namespace: 'shop', ...props });
    new MtlsNamespace(mesh, 'mtls', { namespace: 'shop', services: split.mtlsServices });
    // No remote components nor secrets here: the files and objects of these constructs alone.
    return synthesizeMesh(mesh);
  }
  const meshConfigOf = (output: ReturnType<typeof synthShop>) => (load(output.files.get('install/east/istiod-values.yaml')!) as { meshConfig: Record<string, unknown> }).meshConfig;

  it('keeps a cluster-local service inside each cluster: MeshConfig serviceSettings, an annotated Service, no failover', () => {
    // GIVEN the cache kept cluster-local WHEN synthesized
    const output = synthShop({ clusterLocal: ['cache'] });
    // THEN istiod's MeshConfig lists its host, even though InstallValues was created first
    expect(meshConfigOf(output).serviceSettings).toEqual([{ settings: { clusterLocal: true }, hosts: ['cache.shop.svc.cluster.local'] }]);
    // AND its Services say so, for the analyzers, and its DestinationRule has no locality policy
    for (const manifests of output.manifests.clusters.values()) {
      expect(byName(manifests, 'Service').get('cache')!.metadata.annotations).toEqual({ 'mesh.cdk8s.io/cluster-local': 'true' });
      expect(byName(manifests, 'Service').get('api')!.metadata.annotations).toBeUndefined();
    }
    const rules = byName(output.manifests.controlPlane, 'DestinationRule');
    expect(rules.get('cache')!.spec.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    expect(rules.get('api')!.spec.trafficPolicy.outlierDetection).toEqual(DEFAULT_OUTLIER_DETECTION);
  });

  it('keeps a whole namespace cluster-local with clusterLocal: true', () => {
    expect(meshConfigOf(synthShop({ clusterLocal: true })).serviceSettings).toEqual([{ settings: { clusterLocal: true }, hosts: ['*.shop.svc.cluster.local'] }]);
  });

  it('reports a cluster-local service called where it does not run (MCL0033)', () => {
    const output = synthShop({ clusterLocal: ['cache'], placement: { 'api-v1': ['east', 'west'], 'cache-v1': ['east'] } });
    expect(analyzeMesh(output.manifests).filter((finding) => finding.code.startsWith('MCL003'))).toMatchObject([{ code: 'MCL0033', cluster: 'west', object: 'Deployment/shop/api-v1' }]);
  });

  it('renders per-service distribute weights', () => {
    const weights = { 'us-east': 70, 'us-west': 30 };
    const output = synthShop({ locality: { api: { distribute: [{ from: 'us-east', to: weights }] } } });
    expect(byName(output.manifests.controlPlane, 'DestinationRule').get('api')!.spec.trafficPolicy).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
      loadBalancer: { localityLbSetting: { enabled: true, distribute: [{ from: 'us-east', to: weights }] } },
    });
    expectValidManifests([...output.manifests.controlPlane]);
  });

  it.each([
    [{ clusterLocal: ['db'] }, 'AppSplit clusterLocal names unknown service "db" of app "shop" (expected one of: api, cache)'],
    [{ locality: { db: { mode: 'off' as const } } }, 'AppSplit locality names unknown service "db" of app "shop" (expected one of: api, cache)'],
    [{ locality: { api: { failover: [{ from: 'us-east', to: 'eu-west' }] } } }, 'AppSplit locality.api.failover[0].to: "eu-west" is no cluster\'s region (expected one of: us-east, us-west)'],
    [{ locality: { api: { distribute: [{ from: 'us-east', to: { 'us-west': 50 } }] } } }, 'AppSplit locality.api.distribute[0].to: weights sum to 50; they must sum to 100'],
  ])('rejects bad locality props at once (%#)', (props, message) => {
    expect(() => new AppSplit(regionalMesh(), 'shop', { app: SHOP, namespace: 'shop', ...props })).toThrow(message);
  });
});
