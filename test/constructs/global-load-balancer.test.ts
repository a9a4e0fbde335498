/**
 * A global load balancer over the clusters' TLS gateways: external-dns annotations on each cluster's
 * gateway Service or Route, or a k8gb Gslb per cluster; from props and from `mesh.globalLoadBalancer`.
 */
import { k8s } from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { IstioMesh } from '../../constructs/istio-mesh';
import { TlsGateway, type TlsGatewayProps } from '../../constructs/tls-gateway';
import { Inventory } from '../../lib/inventory/inventory';
import type { GlobalLoadBalancerSpec } from '../../lib/model/global-load-balancer';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, MeshSettingsSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { buildMesh } from '../../lib/synth/build-mesh';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';

const HOST = 'bookinfo.example.com';
const CLUSTERS: ClusterSpec[] = [
  { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '172.30.0.10', controlPlaneAddressKind: 'istiod-service', platform: 'openshift', region: 'us-east' },
  { name: 'west', url: 'https://api.west.example.com:6443', platform: 'openshift', region: 'us-west' },
];
const THIRD: ClusterSpec = { name: 'north', url: 'https://api.north.example.com:6443', region: 'eu-north' };

function gatewayMesh(props: Partial<TlsGatewayProps>, options: { clusters?: readonly ClusterSpec[]; mesh?: MeshSettingsSpec } = {}) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ mesh: options.mesh, clusters: options.clusters ?? CLUSTERS }) });
  for (const chart of mesh.clusterChartsByName.values()) new k8s.KubeNamespace(chart, 'bookinfo', { metadata: { name: 'bookinfo' } });
  const gateway = new TlsGateway(mesh, 'gateway', { namespace: 'bookinfo', hosts: [HOST], ...props });
  return { mesh, gateway };
}

const objectsIn = (mesh: IstioMesh, cluster: string) => synthesizeMesh(mesh).manifests.clusters.get(cluster)!;
const ofKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind) as (Manifest & { spec: any })[];
const gatewayService = (manifests: readonly Manifest[]) => ofKind(manifests, 'Service')[0];

describe('TlsGateway globalLoadBalancer with external-dns', () => {
  it('annotates each cluster\'s LoadBalancer Service with the name, its own set identifier and a weight', () => {
    // GIVEN external-dns with the defaults: weighted, the current annotation prefix
    const { mesh } = gatewayMesh({ globalLoadBalancer: { provider: 'external-dns', hostname: HOST } });
    // WHEN synthesized, THEN each Service carries the GA-prefixed annotations, set identifier = cluster
    for (const cluster of ['east', 'west']) {
      const objects = objectsIn(mesh, cluster);
      expect(gatewayService(objects).metadata.annotations).toEqual({
        'external-dns.kubernetes.io/hostname': HOST,
        'external-dns.kubernetes.io/set-identifier': cluster,
        'external-dns.kubernetes.io/aws-weight': '1',
      });
      expectValidManifests([...objects]);
    }
    // AND no set identifier is shared (MCL0122)
    expect(synthesizeOutput(mesh).findings.filter((finding) => finding.code === 'MCL0122')).toEqual([]);
  });

  it('writes the pre-0.22 prefix for an older external-dns, PRIMARY/SECONDARY for failover, and the TTL', () => {
    const { mesh } = gatewayMesh({ globalLoadBalancer: { provider: 'external-dns', hostname: HOST, policy: 'failover', primary: 'west', ttl: 60, externalDnsVersion: 'v0.21.0' } });
    expect(gatewayService(objectsIn(mesh, 'east')).metadata.annotations).toEqual({
      'external-dns.alpha.kubernetes.io/hostname': HOST,
      'external-dns.alpha.kubernetes.io/set-identifier': 'east',
      'external-dns.alpha.kubernetes.io/aws-failover': 'SECONDARY',
      'external-dns.alpha.kubernetes.io/ttl': '60',
    });
    expect(gatewayService(objectsIn(mesh, 'west')).metadata.annotations).toMatchObject({ 'external-dns.alpha.kubernetes.io/aws-failover': 'PRIMARY' });
  });

  it('annotates the Route of the name instead where a Route exposes the gateway (its host is the name)', () => {
    // GIVEN exposure route, two hosts, the balancer on the second
    const { mesh } = gatewayMesh({ hosts: ['shop.example.com', HOST], exposure: 'route', globalLoadBalancer: { provider: 'external-dns', hostname: HOST, weights: { east: 3, west: 1 } } });
    const objects = objectsIn(mesh, 'east');
    // THEN the Service has no annotation, the Route of the name has the set identifier and weight, the other Route none
    expect(gatewayService(objects).metadata.annotations).toBeUndefined();
    expect(ofKind(objects, 'Route').map((route) => [route.spec.host, route.metadata.annotations])).toEqual([
      ['shop.example.com', undefined],
      [HOST, { 'external-dns.kubernetes.io/set-identifier': 'east', 'external-dns.kubernetes.io/aws-weight': '3' }],
    ]);
    expectValidManifests([...objects]);
  });
});

describe('TlsGateway globalLoadBalancer with k8gb', () => {
  it('writes the same k8gb.io/v1beta1 Gslb in every cluster, resolving through the LoadBalancer Service', () => {
    // GIVEN k8gb failover to east, geo tags from the regions
    const { mesh } = gatewayMesh({ globalLoadBalancer: { provider: 'k8gb', hostname: HOST, policy: 'failover', primary: 'east', ttl: 30 } });
    // WHEN synthesized, THEN each cluster has the Gslb, valid against k8gb's CRD
    for (const cluster of ['east', 'west']) {
      const objects = objectsIn(mesh, cluster);
      expect(ofKind(objects, 'Gslb')).toEqual([
        {
          apiVersion: 'k8gb.io/v1beta1',
          kind: 'Gslb',
          metadata: { name: 'bookinfo-ingressgateway', namespace: 'bookinfo', annotations: { 'k8gb.io/hostname': HOST } },
          spec: { resourceRef: { apiVersion: 'v1', kind: 'Service', name: 'bookinfo-ingressgateway' }, strategy: { type: 'failover', primaryGeoTag: 'us-east', dnsTtlSeconds: 30 } },
        },
      ]);
      expect(gatewayService(objects).spec.type).toBe('LoadBalancer');
      expectValidManifests([...objects]);
    }
  });

  it('writes weighted as roundRobin with weights by geo tag', () => {
    const { mesh } = gatewayMesh({ globalLoadBalancer: { provider: 'k8gb', hostname: HOST, policy: 'weighted', weights: { east: 80, west: 20 }, geoTags: { west: 'uswest' } } });
    expect(ofKind(objectsIn(mesh, 'west'), 'Gslb')[0].spec.strategy).toEqual({ type: 'roundRobin', weight: { 'us-east': 80, uswest: 20 } });
  });
});

describe('TlsGateway globalLoadBalancer refusals', () => {
  const balancer = (spec: Partial<GlobalLoadBalancerSpec>): GlobalLoadBalancerSpec => ({ provider: 'external-dns', hostname: HOST, ...spec });
  it.each([
    ['a name the gateway does not serve', { globalLoadBalancer: balancer({ hostname: 'shop.example.com' }) }, {}, 'globalLoadBalancer.hostname', /"shop\.example\.com" is none of the gateway's hosts \(bookinfo\.example\.com\)/],
    ['external-dns failover over three clusters', { globalLoadBalancer: balancer({ policy: 'failover', primary: 'east' }) }, { clusters: [...CLUSTERS, THIRD] }, 'globalLoadBalancer.policy', /failover with external-dns needs exactly 2 gateway clusters .* and there are 3/],
    ['failover without a primary', { globalLoadBalancer: balancer({ policy: 'failover' }) }, {}, 'globalLoadBalancer.primary', /is missing; failover needs the cluster served while healthy/],
    ['a policy external-dns lacks', { globalLoadBalancer: balancer({ policy: 'geoip' }) }, {}, 'globalLoadBalancer.policy', /"geoip" is not a policy of external-dns \(weighted, failover\)/],
    ['two clusters with one set identifier', { globalLoadBalancer: balancer({ setIdentifiers: { east: 'bookinfo', west: 'bookinfo' } }) }, {}, 'globalLoadBalancer.setIdentifiers.west', /"bookinfo" is also the set identifier of cluster "east"/],
    ['a weight above 255', { globalLoadBalancer: balancer({ weights: { east: 256 } }) }, {}, 'globalLoadBalancer.weights.east', /256 is not a whole number from 0 to 255/],
    ['a bad external-dns version', { globalLoadBalancer: balancer({ externalDnsVersion: 'latest' }) }, {}, 'globalLoadBalancer.externalDnsVersion', /"latest" is not a release such as "0\.22" or "v0\.21\.0"/],
    ['a bad k8gb geo tag', { globalLoadBalancer: balancer({ provider: 'k8gb', geoTags: { east: 'us east' } }) }, {}, 'globalLoadBalancer.geoTags.east', /"us east" is not a k8gb geo tag/],
    ['k8gb behind a Route only', { exposure: { west: 'route' }, globalLoadBalancer: balancer({ provider: 'k8gb' }) }, {}, 'exposure', /exposure of cluster "west" is route, and k8gb resolves a Gslb only through a LoadBalancer Service/],
  ] as const)('refuses %s', (_case, props, options, prop, message) => {
    expect(() => gatewayMesh(props as Partial<TlsGatewayProps>, options as { clusters?: ClusterSpec[] })).toThrow(expect.objectContaining({ name: 'InvalidPropsError', prop, message: expect.stringMatching(message) }));
  });

  it('takes the mesh\'s globalLoadBalancer for a gateway serving its hostname, and checks it over the gateway\'s clusters', () => {
    const mesh = { globalLoadBalancer: balancer({ policy: 'failover', primary: 'west' }) };
    expect(gatewayMesh({}, { mesh }).gateway.globalLoadBalancer).toEqual(mesh.globalLoadBalancer);
    expect(gatewayMesh({ hosts: ['shop.example.com'] }, { mesh }).gateway.globalLoadBalancer).toBeUndefined();
    expect(() => gatewayMesh({ clusters: ['east'] }, { mesh })).toThrow(expect.objectContaining({ prop: 'mesh.globalLoadBalancer.primary', message: expect.stringMatching(/"west" runs no gateway \(gateway clusters: east\)/) }));
  });
});

describe('mesh.globalLoadBalancer in the inventory', () => {
  const spec = (globalLoadBalancer: object, gateway: object = {}) => ({ mesh: { globalLoadBalancer }, clusters: CLUSTERS, bookinfo: { host: HOST, gateway } });

  it('annotates the Bookinfo gateway Services', () => {
    const mesh = buildMesh(Inventory.fromUnknown(spec({ provider: 'external-dns', hostname: HOST })));
    expect(gatewayService(ofKind(objectsIn(mesh, 'west'), 'Service').filter((s) => s.metadata.name === 'bookinfo-ingressgateway')).metadata.annotations).toMatchObject({ 'external-dns.kubernetes.io/set-identifier': 'west' });
  });

  it.each([
    ['a name that is not bookinfo.host', spec({ provider: 'external-dns', hostname: 'shop.example.com' }), 'mesh.globalLoadBalancer.hostname', /is not bookinfo\.host "bookinfo\.example\.com"/],
    ['k8gb with a Route-only gateway', spec({ provider: 'k8gb', hostname: HOST }, { exposure: 'route' }), 'bookinfo.gateway.exposure', /of cluster "east" is route, and k8gb resolves a Gslb only through a LoadBalancer Service/],
    ['an unknown provider', spec({ provider: 'route53', hostname: HOST }), 'mesh.globalLoadBalancer.provider', /external-dns/],
  ])('reports %s at its path', (_case, input, path, message) => {
    let issues: { path: string; message: string }[] = [];
    try {
      Inventory.fromUnknown(input);
    } catch (error) {
      issues = (error as { issues: { path: string; message: string }[] }).issues;
    }
    expect(issues.filter((issue) => issue.path === path).map((issue) => issue.message)).toEqual([expect.stringMatching(message)]);
  });
});
