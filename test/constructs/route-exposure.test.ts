/**
 * A TLS gateway exposed through OpenShift Routes (`exposure: route | both`), from props and from the
 * inventory's `bookinfo.gateway`: the Route, the Service and the Gateway agree, and what cannot work
 * is refused with the reason.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { IstioMesh } from '../../constructs/istio-mesh';
import { PassthroughRoute } from '../../constructs/passthrough-route';
import { TlsGateway, type TlsGatewayProps } from '../../constructs/tls-gateway';
import { Inventory } from '../../lib/inventory/inventory';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { buildMesh } from '../../lib/synth/build-mesh';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { edit, runMain, tempDirs } from '../cli/support';
import { expectValidManifests } from '../support/schema-validation';

const HOST = 'bookinfo.apps.example.com';
const OPENSHIFT_CLUSTERS: ClusterSpec[] = [
  { name: 'ocp1', url: 'https://api.ocp1.example.com:6443', istio_control_plane: true, controlPlaneAddress: '172.30.0.10', controlPlaneAddressKind: 'istiod-service', platform: 'openshift' },
  { name: 'ocp2', url: 'https://api.ocp2.example.com:6443', platform: 'openshift' },
];
const HYBRID_CLUSTERS: ClusterSpec[] = [OPENSHIFT_CLUSTERS[0], { name: 'k8s1', url: 'https://api.k8s1.example.com:6443' }];

function gatewayMesh(clusters: readonly ClusterSpec[], props: Partial<TlsGatewayProps>) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ clusters }) });
  for (const chart of mesh.clusterChartsByName.values()) new k8s.KubeNamespace(chart, 'bookinfo', { metadata: { name: 'bookinfo' } });
  const gateway = new TlsGateway(mesh, 'gateway', { namespace: 'bookinfo', hosts: [HOST], ...props });
  return { mesh, gateway };
}

const ofKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind) as (Manifest & { spec: any })[];

describe('TlsGateway exposure', () => {
  it('puts a passthrough Route in front of each cluster\'s ClusterIP gateway Service with exposure route', () => {
    // GIVEN two OpenShift clusters and a gateway exposed by Route only
    const { mesh } = gatewayMesh(OPENSHIFT_CLUSTERS, { exposure: 'route' });
    // WHEN synthesized
    const { manifests } = synthesizeMesh(mesh);
    // THEN each cluster has one Route to the Service's https port, at the Gateway's host, TLS passed through
    const [gateway] = ofKind(manifests.controlPlane, 'Gateway');
    const [server] = gateway.spec.servers;
    for (const cluster of ['ocp1', 'ocp2']) {
      const objects = manifests.clusters.get(cluster)!;
      const [route] = ofKind(objects, 'Route');
      const [service] = ofKind(objects, 'Service');
      expect(route).toEqual({
        apiVersion: 'route.openshift.io/v1',
        kind: 'Route',
        metadata: { name: 'bookinfo-ingressgateway', namespace: 'bookinfo', labels: { app: 'bookinfo-ingressgateway' } },
        spec: {
          host: HOST,
          to: { kind: 'Service', name: 'bookinfo-ingressgateway' },
          port: { targetPort: 'https' },
          tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' },
        },
      });
      // The Route, Service and Gateway agree: host, port name and number, TLS terminated by the gateway
      expect(route.spec.host).toBe(server.hosts[0]);
      expect(route.spec.to.name).toBe(service.metadata.name);
      expect(service.spec.ports.find((port: any) => port.name === route.spec.port.targetPort).port).toBe(server.port.number);
      expect(server.tls.mode).toBe('SIMPLE');
      // AND the Service is ClusterIP: the router is the only way in
      expect(service.spec.type).toBe('ClusterIP');
      expectValidManifests([...objects]);
    }
    // AND the analyzers find nothing wrong with the Routes (the mesh has no remote secret: MCL0002 is expected)
    expect(synthesizeOutput(mesh).findings.map((finding) => `${finding.code} ${finding.object}`)).toEqual(['MCL0002 Secret/istio-system/istio-remote-secret-ocp2']);
  });

  it('keeps the LoadBalancer Service beside the Route with exposure both, and Redirect when asked', () => {
    // GIVEN exposure both and insecureEdgeTerminationPolicy Redirect, two hosts
    const { mesh } = gatewayMesh(OPENSHIFT_CLUSTERS, { exposure: 'both', insecureEdgeTerminationPolicy: 'Redirect', hosts: [HOST, 'shop.apps.example.com'] });
    // WHEN synthesized
    const objects = synthesizeMesh(mesh).manifests.clusters.get('ocp2')!;
    // THEN the Service stays LoadBalancer and one Route per host redirects plain HTTP
    expect(ofKind(objects, 'Service')[0].spec.type).toBe('LoadBalancer');
    expect(ofKind(objects, 'Route').map((route) => [route.metadata.name, route.spec.host, route.spec.tls.insecureEdgeTerminationPolicy])).toEqual([
      ['bookinfo-ingressgateway-1', HOST, 'Redirect'],
      ['bookinfo-ingressgateway-2', 'shop.apps.example.com', 'Redirect'],
    ]);
    expectValidManifests([...objects]);
  });

  it('exposes by cluster: a Route on the OpenShift cluster, the LoadBalancer on the Kubernetes one', () => {
    // GIVEN a hybrid mesh and exposure by cluster
    const { mesh, gateway } = gatewayMesh(HYBRID_CLUSTERS, { exposure: { ocp1: 'route' } });
    // WHEN synthesized
    const { manifests } = synthesizeMesh(mesh);
    // THEN ocp1 has the Route and a ClusterIP Service, k8s1 its LoadBalancer Service and no Route
    expect([...gateway.exposure]).toEqual([['ocp1', 'route'], ['k8s1', 'loadbalancer']]);
    expect(ofKind(manifests.clusters.get('ocp1')!, 'Route')).toHaveLength(1);
    expect(ofKind(manifests.clusters.get('ocp1')!, 'Service')[0].spec.type).toBe('ClusterIP');
    expect(ofKind(manifests.clusters.get('k8s1')!, 'Route')).toEqual([]);
    expect(ofKind(manifests.clusters.get('k8s1')!, 'Service')[0].spec.type).toBe('LoadBalancer');
  });

  it('writes no Route and a LoadBalancer Service by default', () => {
    const { manifests } = synthesizeMesh(gatewayMesh(OPENSHIFT_CLUSTERS, {}).mesh);
    expect(ofKind(manifests.clusters.get('ocp1')!, 'Route')).toEqual([]);
    expect(ofKind(manifests.clusters.get('ocp1')!, 'Service')[0].spec.type).toBe('LoadBalancer');
  });

  it.each([
    ['a Kubernetes cluster', HYBRID_CLUSTERS, { exposure: 'route' }, 'exposure', /TlsGateway exposure route needs an OpenShift cluster \(route\.openshift\.io\/v1 Routes exist only there\), and cluster "k8s1" has platform kubernetes/],
    ['a cluster that runs no gateway', OPENSHIFT_CLUSTERS, { exposure: { ocp3: 'route' } }, 'exposure.ocp3', /TlsGateway exposure\.ocp3 names cluster "ocp3", which runs no gateway \(gateway clusters: ocp1, ocp2\)/],
    ['an unknown exposure', OPENSHIFT_CLUSTERS, { exposure: 'nodeport' }, 'exposure', /TlsGateway exposure "nodeport" is not loadbalancer, route, both/],
    ['a wildcard host', OPENSHIFT_CLUSTERS, { exposure: 'route', hosts: ['*.apps.example.com'] }, 'exposure', /Route host "\*\.apps\.example\.com" is a wildcard, which a Route takes only with wildcardPolicy Subdomain/],
    ['Allow', OPENSHIFT_CLUSTERS, { exposure: 'route', insecureEdgeTerminationPolicy: 'Allow' }, 'insecureEdgeTerminationPolicy', /"Allow" is not None or Redirect: the Route passes TLS through, and the Route API refuses passthrough with Allow/],
    ['a policy without a Route', OPENSHIFT_CLUSTERS, { insecureEdgeTerminationPolicy: 'Redirect' }, 'insecureEdgeTerminationPolicy', /is given, but no cluster exposes the gateway through a Route/],
  ] as const)('refuses a Route exposure on %s', (_case, clusters, props, prop, message) => {
    // GIVEN exposure props that cannot work, WHEN the gateway is built, THEN it fails naming the prop and why
    expect(() => gatewayMesh(clusters, props as Partial<TlsGatewayProps>)).toThrow(expect.objectContaining({ name: 'InvalidPropsError', prop, message: expect.stringMatching(message) }));
  });

  it('refuses a Route in front of an east-west gateway, whose SNI has "_"', () => {
    // GIVEN a Route host as an east-west gateway's AUTO_PASSTHROUGH SNI looks
    const host = 'outbound_.9080_._.reviews.bookinfo.svc.cluster.local';
    // WHEN a PassthroughRoute is made for it, THEN it is refused with the reason
    expect(() => new PassthroughRoute(Testing.chart(), 'route', { namespace: 'istio-system', name: 'eastwest', host, service: 'istio-eastwestgateway', targetPort: 'tls' })).toThrow(
      /PassthroughRoute Route host "outbound_\.9080_\._\.reviews\.bookinfo\.svc\.cluster\.local" contains "_", which Route hosts refuse .*east-west gateways stay behind their LoadBalancer or ClusterIP Service/,
    );
  });
});

describe('bookinfo.gateway.exposure in the inventory', () => {
  const spec = (gateway: object, clusters: readonly ClusterSpec[] = OPENSHIFT_CLUSTERS) => ({ clusters, bookinfo: { host: HOST, gateway } });

  it('reports every exposure problem with its path, as the props do', () => {
    // GIVEN an inventory exposing a hybrid mesh's gateway by Route, with Allow
    // WHEN loaded, THEN each problem is reported at its field
    let error: MeshValidationError | undefined;
    try {
      Inventory.fromUnknown(spec({ exposure: 'route', insecureEdgeTerminationPolicy: 'Allow' }, HYBRID_CLUSTERS));
    } catch (caught) {
      error = caught as MeshValidationError;
    }
    expect(error).toBeInstanceOf(MeshValidationError);
    expect(error!.issues.map((issue) => issue.path)).toEqual(['bookinfo.gateway.exposure', 'bookinfo.gateway.insecureEdgeTerminationPolicy']);
    expect(error!.message).toMatch(/bookinfo\.gateway\.exposure: route needs an OpenShift cluster/);
  });

  it('refuses an exposure the schema does not know', () => {
    expect(() => Inventory.fromUnknown(spec({ exposure: ['route'] }))).toThrow(/bookinfo\.gateway\.exposure/);
  });

  const dir = tempDirs('route-exposure-');

  it('gives a tree that validate passes, and finds a Route host edited by hand (MCL0120)', () => {
    // GIVEN the OpenShift seed's Bookinfo exposed by Route, synthesized by the CLI
    const cwd = dir();
    const inventory = join(cwd, 'inventory.yaml');
    const seed = load(readFileSync(join(__dirname, '..', '..', 'apps', 'openshift', 'inventory.yaml'), 'utf8')) as any;
    seed.bookinfo.gateway = { exposure: 'route' };
    writeFileSync(inventory, JSON.stringify(seed));
    const out = join(cwd, 'dist');
    expect(runMain(['synth', '--inventory', inventory, '--out', out]).status).toBe(0);
    const routeFile = join(out, 'clusters', 'ocp-west', readdirSync(join(out, 'clusters', 'ocp-west')).find((file) => file.startsWith('route.route.openshift.io_'))!);
    expect(runMain(['validate', out])).toMatchObject({ status: 0, stdout: `${out}: 0 errors, 0 warnings, 0 info, 0 suppressed\n` });
    // WHEN the Route's host is edited by hand and the tree validated
    edit(routeFile, `host: ${HOST}`, 'host: shop.apps.example.com');
    const result = runMain(['validate', out]);
    // THEN MCL0120 names the Route and the Gateway's host
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error MCL0120 clusters\/ocp-west Route\/bookinfo\/bookinfo-ingressgateway \(cluster ocp-west\): host "shop\.apps\.example\.com" is no host of the Gateway server on port 443 of Service bookinfo\/bookinfo-ingressgateway \(bookinfo\.apps\.example\.com\)/m);
  });

  it('builds the Route from the inventory through buildMesh', () => {
    const mesh = buildMesh(Inventory.fromUnknown(spec({ exposure: { ocp2: 'both' }, insecureEdgeTerminationPolicy: 'Redirect' })));
    const { manifests } = synthesizeMesh(mesh);
    expect(ofKind(manifests.clusters.get('ocp1')!, 'Route')).toEqual([]);
    expect(ofKind(manifests.clusters.get('ocp2')!, 'Route').map((route) => route.spec.tls)).toEqual([{ termination: 'passthrough', insecureEdgeTerminationPolicy: 'Redirect' }]);
  });
});
