import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTLIER_DETECTION, localityMeshConfig, serviceTrafficPolicy } from '../../lib/model/locality';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import { issuesOf } from './issues-of';

const CONTROL_PLANE = { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' };
const REGIONS: MeshSpec = {
  clusters: [
    { ...CONTROL_PLANE, region: 'us-east', zone: 'us-east-1a' },
    { name: 'west', url: 'https://api.west.example.com:6443', region: 'us-west', zone: 'us-west-2a', subzone: 'rack1' },
    { name: 'labelled', url: 'https://api.labelled.example.com:6443', region: 'eu-west', localityLabel: false },
  ],
};

const withLocality = (locality: object, bookinfo?: object): unknown => ({ ...REGIONS, mesh: { locality }, ...(bookinfo && { bookinfo: { host: 'h', ...bookinfo } }) });

describe('locality in the mesh model', () => {
  it('fails over by default once a cluster names a region, and labels pods where nodes carry no topology labels', () => {
    // GIVEN clusters naming regions, one of them with labelled nodes
    const mesh = Mesh.fromSpec(REGIONS);
    // THEN the mode is failover with the documented outlier detection
    expect(mesh.locality).toMatchObject({ mode: 'failover', configured: true, failover: [], outlierDetection: DEFAULT_OUTLIER_DETECTION });
    expect(DEFAULT_OUTLIER_DETECTION).toEqual({ consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 });
    // AND each cluster's locality, with the pod label only where asked
    expect(mesh.cluster('east')).toMatchObject({ locality: 'us-east/us-east-1a', localityPodLabels: { 'istio-locality': 'us-east.us-east-1a' } });
    expect(mesh.cluster('west')).toMatchObject({ locality: 'us-west/us-west-2a/rack1', localityPodLabels: { 'istio-locality': 'us-west.us-west-2a.rack1' } });
    expect(mesh.cluster('labelled')).toMatchObject({ locality: 'eu-west', localityPodLabels: {} });
  });

  it('is off, and renders nothing, when no cluster names a region', () => {
    const mesh = Mesh.fromSpec({ clusters: [CONTROL_PLANE] });
    expect(mesh.locality).toMatchObject({ mode: 'off', configured: false });
    expect(mesh.cluster('east')).toMatchObject({ locality: undefined, localityPodLabels: {} });
    expect(localityMeshConfig(mesh)).toEqual({});
  });

  it('renders the mesh policy and cluster-local hosts as MeshConfig', () => {
    // GIVEN failover pairs, a failover priority, overridden outlier detection and cluster-local services
    const mesh = Mesh.fromUnknown(
      withLocality({
        failover: [{ from: 'us-east', to: 'us-west' }],
        failoverPriority: ['topology.istio.io/network'],
        outlierDetection: { consecutive5xxErrors: 2 },
        clusterLocal: { namespaces: ['tools'], services: ['cache.shop'] },
      }),
    );
    // WHEN MeshConfig is rendered, with a host a construct registered
    const meshConfig = localityMeshConfig(mesh, ['*.bookinfo.svc.cluster.local']);
    // THEN it holds Istio's field names and every host, sorted
    expect(meshConfig).toEqual({
      localityLbSetting: { enabled: true, failover: [{ from: 'us-east', to: 'us-west' }], failoverPriority: ['topology.istio.io/network'] },
      serviceSettings: [{ settings: { clusterLocal: true }, hosts: ['*.bookinfo.svc.cluster.local', '*.tools.svc.cluster.local', 'cache.shop.svc.cluster.local'] }],
    });
    expect(mesh.locality.outlierDetection).toEqual({ ...DEFAULT_OUTLIER_DETECTION, consecutive5xxErrors: 2 });
  });

  it('renders an explicit off as a disabled setting', () => {
    expect(localityMeshConfig(Mesh.fromUnknown(withLocality({ mode: 'off' })))).toEqual({ localityLbSetting: { enabled: false } });
  });

  it('gives a multi-locality service the policy and outlier detection, and a single-locality one nothing', () => {
    const mesh = Mesh.fromSpec(REGIONS);
    expect(serviceTrafficPolicy(mesh, ['east'])).toBeUndefined();
    expect(serviceTrafficPolicy(mesh, ['east', 'west'])).toEqual({
      loadBalancer: { localityLbSetting: { enabled: true } },
      outlierDetection: DEFAULT_OUTLIER_DETECTION,
    });
    // AND a service's own policy overrides the mesh's
    expect(serviceTrafficPolicy(mesh, ['east', 'west'], { mode: 'off' })).toEqual({ loadBalancer: { localityLbSetting: { enabled: false } } });
    expect(serviceTrafficPolicy(mesh, ['east', 'west'], { failover: [{ from: 'us-west', to: 'eu-west' }] })).toEqual({
      loadBalancer: { localityLbSetting: { enabled: true, failover: [{ from: 'us-west', to: 'eu-west' }] } },
      outlierDetection: DEFAULT_OUTLIER_DETECTION,
    });
    const weights = [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }];
    expect(serviceTrafficPolicy(mesh, ['east', 'west'], { distribute: weights })).toEqual({ loadBalancer: { localityLbSetting: { enabled: true, distribute: weights } } });
  });

  it.each([
    ['a zone without a region', { clusters: [{ ...CONTROL_PLANE, zone: 'z' }] }, 'clusters[0].zone: needs a region (locality is region/zone)'],
    ['a subzone without a zone', { clusters: [{ ...CONTROL_PLANE, region: 'r', subzone: 's' }] }, 'clusters[0].subzone: needs a zone (locality is region/zone/subzone)'],
    ['a locality label without a region', { clusters: [{ ...CONTROL_PLANE, localityLabel: true }] }, "clusters[0].localityLabel: needs a region: the label carries the cluster's region, zone and subzone"],
    ['a region holding a slash', { clusters: [{ ...CONTROL_PLANE, region: 'us/east' }] }, 'clusters[0].region: "us/east" must not contain \'/\' or \'*\''],
    ['a dotted zone that would split the label', { clusters: [{ ...CONTROL_PLANE, region: 'r', zone: 'us.east.1' }] }, 'clusters[0].zone: "us.east.1" cannot go into the istio-locality pod label, where \'.\' separates region, zone and subzone'],
    ['a region that is no label value, even from node labels', { clusters: [{ ...CONTROL_PLANE, region: 'us east`', localityLabel: false }] }, 'clusters[0].region: "us east`" is not a Kubernetes label value'],
    ['a locality label value over 63 characters', { clusters: [{ ...CONTROL_PLANE, region: 'r'.repeat(40), zone: 'z'.repeat(30) }] }, 'is 71 characters long; a label value has at most 63'],
    ['an unknown mode', withLocality({ mode: 'nearest' }), 'mesh.locality.mode: must be one of: failover, distribute, off'],
    ['an unknown locality key', withLocality({ failovers: [] }), 'mesh.locality.failovers: unknown key "failovers"'],
    ['a weight over 100', withLocality({ mode: 'distribute', distribute: [{ from: 'us-east', to: { 'us-west': 101 } }] }), 'mesh.locality.distribute[0].to.us-west: must be <= 100'],
    ['weights that do not sum to 100', withLocality({ distribute: [{ from: 'us-east', to: { 'us-east': 50, 'us-west': 40 } }] }), 'mesh.locality.distribute[0].to: weights sum to 90; they must sum to 100'],
    ['a wildcard in the middle of a locality', withLocality({ distribute: [{ from: 'us-*/z', to: { 'us-east': 100 } }] }), 'mesh.locality.distribute[0].from: "us-*/z" may hold one \'*\', at its end'],
    ['a duplicate distribute source', withLocality({ distribute: [{ from: 'us-east', to: { 'us-east': 100 } }, { from: 'us-east', to: { 'us-west': 100 } }] }), 'mesh.locality.distribute[1].from: "us-east" overlaps distribute[0].from "us-east"; Istio refuses a source locality that an earlier one covers'],
    ['a distribute source inside an earlier region', withLocality({ distribute: [{ from: 'us-east/*', to: { 'us-east': 100 } }, { from: 'us-east/us-east-1a', to: { 'us-west': 100 } }] }), 'mesh.locality.distribute[1].from: "us-east/us-east-1a" overlaps distribute[0].from "us-east/*"'],
    ['a distribute source after a zone of its region', withLocality({ distribute: [{ from: 'us-east/us-east-1a', to: { 'us-east': 100 } }, { from: 'us-east', to: { 'us-west': 100 } }] }), 'mesh.locality.distribute[1].from: "us-east" overlaps distribute[0].from "us-east/us-east-1a"'],
    ['a distribute source after the wildcard', withLocality({ distribute: [{ from: '*', to: { 'us-east': 100 } }, { from: 'eu-west', to: { 'us-west': 100 } }] }), 'mesh.locality.distribute[1].from: "eu-west" overlaps distribute[0].from "*"'],
    ['overlapping weighted localities', withLocality({ distribute: [{ from: 'us-east', to: { 'us-west/us-west-2a': 50, 'us-west/*': 50 } }] }), 'mesh.locality.distribute[0].to: "us-west/*" overlaps "us-west/us-west-2a"; Istio refuses weights for overlapping localities'],
    ['distribute without weights', withLocality({ mode: 'distribute' }), 'mesh.locality.mode: distribute needs weights (distribute: [{from, to}])'],
    ['weights in failover mode', withLocality({ mode: 'failover', distribute: [{ from: 'us-east', to: { 'us-east': 100 } }] }), 'mesh.locality.distribute: is only used with mode: distribute (mode is failover)'],
    ['failover pairs in off mode', withLocality({ mode: 'off', failover: [{ from: 'us-east', to: 'us-west' }] }), 'mesh.locality.failover: is only used with mode: failover (mode is off)'],
    ['a failover to an unknown region', withLocality({ failover: [{ from: 'us-east', to: 'ap-south' }] }), 'mesh.locality.failover[0].to: "ap-south" is no cluster\'s region (expected one of: us-east, us-west, eu-west)'],
    ['a failover to the same region', withLocality({ failover: [{ from: 'us-east', to: 'us-east' }] }), 'mesh.locality.failover[0]: fails over from region "us-east" to itself'],
    ['failover with a topology failoverPriority', withLocality({ failover: [{ from: 'us-east', to: 'us-west' }], failoverPriority: ['topology.kubernetes.io/zone'] }), 'mesh.locality.failover: cannot be combined with failoverPriority label "topology.kubernetes.io/zone"'],
    ['failover without any region', { clusters: [CONTROL_PLANE], mesh: { locality: { mode: 'failover' } } }, 'mesh.locality.mode: failover needs clusters that name a region (clusters[].region)'],
    ['an outlier interval that is no duration', withLocality({ outlierDetection: { interval: 'often' } }), 'mesh.locality.outlierDetection.interval: "often" is not a Go duration'],
    ['an outlier ejection of 0%', withLocality({ outlierDetection: { maxEjectionPercent: 0 } }), 'mesh.locality.outlierDetection.maxEjectionPercent: must be >= 1'],
    ['a cluster-local service without its namespace', withLocality({ clusterLocal: { services: ['cache'] } }), 'mesh.locality.clusterLocal.services[0]: "cache" is not <name>.<namespace> (two DNS-1123 labels)'],
    ['a cluster-local namespace that is no label', withLocality({ clusterLocal: { namespaces: ['Tools'] } }), 'mesh.locality.clusterLocal.namespaces[0]: "Tools" is not a DNS-1123 label'],
    ['a Bookinfo override of an unknown service', withLocality({}, { locality: { review: { mode: 'off' } } }), 'bookinfo.locality.review: unknown service "review" (expected one of: details, ratings, reviews, productpage)'],
    ['a Bookinfo override failing over to an unknown region', withLocality({}, { locality: { reviews: { failover: [{ from: 'us-east', to: 'mars' }] } } }), 'bookinfo.locality.reviews.failover[0].to: "mars" is no cluster\'s region'],
    ['a Bookinfo cluster-local service it lacks', withLocality({}, { clusterLocal: ['cart'] }), 'bookinfo.clusterLocal[0]: unknown service "cart"'],
  ])('rejects %s with the field path', (_case, spec, expected) => {
    expect(issuesOf(spec)).toContainEqual(expect.stringContaining(expected));
  });

  it('GIVEN distribute sources that Istio reads in order WHEN a zone comes before its region\'s wildcard or regions differ THEN they are accepted', () => {
    // istio/istio pkg/config/validation/agent/validation.go validateLocalities: "us-east/us-east-1a" then "us-east/*" passes.
    const spec = withLocality({ distribute: [
      { from: 'us-east/us-east-1a', to: { 'us-east': 100 } },
      { from: 'us-east/*', to: { 'us-west': 100 } },
      { from: 'eu-west', to: { 'us-west/us-west-2a/rack1': 50, 'us-west/us-west-2a/rack2': 50 } },
    ] });
    expect(Mesh.fromUnknown(spec).locality.distribute).toHaveLength(3);
  });
});
