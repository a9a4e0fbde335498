import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { k8s } from 'cdk8s-plus-27';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { EastWestGateway, type EastWestGatewayProps } from '../../constructs/east-west-gateway';
import { IstioMesh } from '../../constructs/istio-mesh';
import { main, type CliIo } from '../../lib/cli/main';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';
import { HAS_UPSTREAM, upstreamPath } from '../support/upstream';

const upstream = (file: string) => loadAll(readFileSync(upstreamPath('istio', 'samples', 'multicluster', file), 'utf8')).filter(Boolean) as (Manifest & { spec: unknown })[];

const PRIMARY: ClusterSpec = { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '192.0.2.10' };
const REMOTE: ClusterSpec = { name: 'west', url: 'https://api.west.example.com:6443' };

function synth(clusters: ClusterSpec[], props: EastWestGatewayProps = {}, istioVersion?: string) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ mesh: { istioVersion }, clusters }) });
  const gateway = new EastWestGateway(mesh, 'east-west', props);
  return { gateway, ...synthesizeMesh(mesh).manifests };
}

const byKind = (manifests: readonly Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name) as (Manifest & { spec: any }) | undefined;

describe('EastWestGateway', () => {
  it.skipIf(!HAS_UPSTREAM)('runs the gateway on the control plane and exposes istiod exactly as expose-istiod.yaml does', () => {
    // GIVEN a single-network primary-remote mesh
    // WHEN the defaults are synthesized
    const { gateway, clusters, controlPlane } = synth([PRIMARY, REMOTE]);
    // THEN only the control plane runs the gateway, and the Gateway and VirtualService match upstream's sample
    expect(gateway.clusters).toEqual(['east']);
    expect(clusters.get('west')).toEqual([]);
    const [istiodGateway, istiodVs] = upstream('expose-istiod.yaml');
    expect(byKind(controlPlane, 'Gateway', 'istiod-gateway')).toEqual({ ...istiodGateway, metadata: { name: 'istiod-gateway', namespace: 'istio-system' } });
    expect(byKind(controlPlane, 'VirtualService', 'istiod-vs')).toEqual({ ...istiodVs, metadata: { name: 'istiod-vs', namespace: 'istio-system' } });
    expect(byKind(controlPlane, 'Gateway', 'cross-network-gateway')).toBeUndefined();
  });

  it('renders the workload gen-eastwest-gateway.sh describes, labelled with its network', () => {
    const east = synth([PRIMARY, REMOTE]).clusters.get('east')!;
    const deployment = byKind(east, 'Deployment', 'istio-eastwestgateway')!;
    expect(deployment.metadata).toMatchObject({ namespace: 'istio-system', labels: { 'istio': 'eastwestgateway', 'app': 'istio-eastwestgateway', 'topology.istio.io/network': 'network1' } });
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toMatchObject({ 'istio': 'eastwestgateway', 'sidecar.istio.io/inject': 'true', 'topology.istio.io/network': 'network1' });
    expect(pod.metadata.annotations['inject.istio.io/templates']).toBe('gateway');
    expect(pod.spec.containers[0]).toMatchObject({ name: 'istio-proxy', image: 'auto', env: [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: 'network1' }] });
    expect(pod.spec.containers[0].securityContext).toMatchObject({ capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(pod.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } });
    // AND props replace the container settings
    const tuned = synth([PRIMARY, REMOTE], { resources: { limits: { memory: k8s.Quantity.fromString('2Gi') } } }).clusters.get('east')!;
    expect(byKind(tuned, 'Deployment', 'istio-eastwestgateway')!.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '2Gi' } });
    const service = byKind(east, 'Service', 'istio-eastwestgateway')!;
    // (the remotes dial 192.0.2.10, which no service range of the control plane holds: from outside, through a load balancer)
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.ports.map((p: { name: string; port: number; targetPort: number }) => [p.name, p.port, p.targetPort])).toEqual([
      ['status-port', 15021, 15021],
      ['tls', 15443, 15443],
      ['tls-istiod', 15012, 15012],
      ['tls-webhook', 15017, 15017],
    ]);
    expect(service.spec.selector).toEqual({ app: 'istio-eastwestgateway', istio: 'eastwestgateway' });
  });

  it.skipIf(!HAS_UPSTREAM)('runs a gateway on every cluster of a multi-network mesh and exposes services as expose-services.yaml does', () => {
    // GIVEN the remote on a second network
    const { gateway, clusters, controlPlane } = synth([PRIMARY, { ...REMOTE, network: 'network2' }]);
    // THEN both clusters run one, each labelled with its own network, and *.local is exposed on 15443
    expect(gateway.clusters).toEqual(['east', 'west']);
    expect(byKind(clusters.get('west')!, 'Service', 'istio-eastwestgateway')!.metadata.labels!['topology.istio.io/network']).toBe('network2');
    const [crossNetwork] = upstream('expose-services.yaml');
    expect(byKind(controlPlane, 'Gateway', 'cross-network-gateway')).toEqual({ ...crossNetwork, metadata: { name: 'cross-network-gateway', namespace: 'istio-system' } });
  });

  it('GIVEN a mesh on several networks WHEN synthesized THEN every gateway Service is a LoadBalancer, which the other networks reach from outside', () => {
    const { clusters } = synth([PRIMARY, { ...REMOTE, network: 'network2' }]);
    for (const cluster of ['east', 'west']) expect(byKind(clusters.get(cluster)!, 'Service', 'istio-eastwestgateway')!.spec.type, cluster).toBe('LoadBalancer');
  });

  it.each([
    ['an address inside the control plane\'s serviceCidr (its in-cluster Service IP)', { serviceCidr: '192.0.2.0/24' }, [], 'ClusterIP'],
    ['an address outside the serviceCidr', { serviceCidr: '10.96.0.0/12' }, [], 'LoadBalancer'],
    ['no address yet', { controlPlaneAddress: undefined, serviceCidr: '192.0.2.0/24' }, [], 'LoadBalancer'],
    ['istiod reached at its Service IP, so nobody dials the gateway', { controlPlaneAddressKind: 'istiod-service' as const, controlPlaneAddress: '192.0.2.20', serviceCidr: '192.0.2.0/24' }, [], 'ClusterIP'],
    ['the in-cluster address, but a second network that reaches it from outside', { serviceCidr: '192.0.2.0/24' }, [{ network: 'network2' }], 'LoadBalancer'],
  ])('GIVEN one control plane with %s WHEN synthesized THEN its east-west gateway Service is %s', (_what, primary, remote, type) => {
    const clusters = synth([{ ...PRIMARY, ...primary }, { ...REMOTE, ...(remote[0] ?? {}) }]).clusters;
    expect(byKind(clusters.get('east')!, 'Service', 'istio-eastwestgateway')!.spec.type).toBe(type);
  });

  it('GIVEN a Service type from the inventory or the serviceType prop WHEN synthesized THEN it replaces the one the networks give, the prop over the inventory', () => {
    // the inventory field, per cluster
    const fromInventory = synth([{ ...PRIMARY, eastWestGatewayServiceType: 'LoadBalancer' }, REMOTE]).clusters.get('east')!;
    expect(byKind(fromInventory, 'Service', 'istio-eastwestgateway')!.spec.type).toBe('LoadBalancer');
    const multiNetwork = synth([PRIMARY, { ...REMOTE, network: 'network2', eastWestGatewayServiceType: 'ClusterIP' }]).clusters;
    expect(byKind(multiNetwork.get('west')!, 'Service', 'istio-eastwestgateway')!.spec.type).toBe('ClusterIP');
    expect(byKind(multiNetwork.get('east')!, 'Service', 'istio-eastwestgateway')!.spec.type).toBe('LoadBalancer');
    // the prop, for every cluster of the construct
    const fromProp = synth([{ ...PRIMARY, eastWestGatewayServiceType: 'ClusterIP' }, REMOTE], { serviceType: 'LoadBalancer' }).clusters.get('east')!;
    expect(byKind(fromProp, 'Service', 'istio-eastwestgateway')!.spec.type).toBe('LoadBalancer');
  });

  it('GIVEN the bundled Sail inventory (one network, remotes at the gateway\'s Service IP) WHEN synthesized by the CLI THEN its gateway is ClusterIP, and the READMEs read that IP', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'east-west-cli-')), 'dist');
    const quiet: CliIo = { stdout: () => undefined, stderr: () => undefined, color: false };
    try {
      expect(main(['synth', '-i', 'apps/openshift/inventory-sail.yaml', '-o', out, '--gitops', 'argocd', '--repo-url', 'https://github.com/example/mesh.git'], quiet)).toBe(0);
      const service = load(readFileSync(join(out, 'clusters/ocp-east/service_istio-system_istio-eastwestgateway.yaml'), 'utf8')) as Manifest & { spec: { type: string } };
      expect(service.spec.type).toBe('ClusterIP');
      expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain("kubectl --context=ocp-east -n istio-system get service istio-eastwestgateway -o jsonpath='{.spec.clusterIP}'");
    } finally {
      rmSync(dirname(out), { recursive: true, force: true });
    }
  });

  it('GIVEN an inventory Service type that is neither WHEN the mesh is read THEN it is refused, naming the field and the accepted values', () => {
    expect(() => Mesh.fromUnknown({ clusters: [{ ...PRIMARY, eastWestGatewayServiceType: 'NodePort' }, REMOTE] })).toThrow(/clusters\[0\]\.eastWestGatewayServiceType: must be one of: LoadBalancer, ClusterIP/);
  });

  it('exposes nothing on a mesh of one cluster unless asked', () => {
    const { controlPlane } = synth([{ ...PRIMARY, controlPlaneAddress: undefined }]);
    expect(controlPlane).toEqual([]);
  });

  it.each(['1.24', '1.30'])('emits only schema-valid objects for Istio %s', (istioVersion) => {
    const { clusters, controlPlane } = synth([PRIMARY, { ...REMOTE, network: 'network2' }], {}, istioVersion);
    const all = [...clusters.values()].flat().concat(controlPlane);
    expectValidManifests(all);
    expect(controlPlane.every((m) => m.apiVersion === 'networking.istio.io/v1')).toBe(true);
  });

  it('rejects exposing istiod from clusters without the control plane', () => {
    expect(() => synth([PRIMARY, REMOTE], { clusters: ['west'] })).toThrow(
      'EastWestGateway exposes istiod, so its clusters must include the control plane "east" (got: west)',
    );
  });

  it('rejects an unknown cluster', () => {
    expect(() => synth([PRIMARY, REMOTE], { clusters: ['east', 'north'] })).toThrow('Unknown cluster "north"; the mesh has: east, west');
  });
});

describe('a multi-network mesh without an EastWestGateway', () => {
  it('warns that cross-network calls will fail, naming the network field of every cluster', () => {
    // GIVEN two clusters on different networks and no EastWestGateway
    const model = Mesh.fromSpec({
      clusters: [
        { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', network: 'net-east' },
        { name: 'west', url: 'https://api.west.example.com:6443' },
      ],
    });
    // WHEN the mesh is built THEN its MCL0065 warning names the inventory fields behind it, and the fix
    expect(new IstioMesh(undefined, 'mesh', { mesh: model }).constructWarnings).toEqual([
      {
        code: 'MCL0065',
        constructPath: 'mesh',
        message:
          'clusters sit on more than one network, but no EastWestGateway exposes services across them: cross-network calls will fail (inventory: clusters[0].network is "net-east", clusters[1].network is "network1")',
        hint: 'add an EastWestGateway, which by default exposes services across networks, or put every cluster on one network',
      },
    ]);
  });
});
