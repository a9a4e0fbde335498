import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, ControlPlaneAddressKind, MeshSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { expectValidManifests } from '../support/schema-validation';

const EAST: ClusterSpec = { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', podCidr: '10.1.0.0/16', serviceCidr: '10.0.0.0/24' };
const WEST: ClusterSpec = { name: 'west', url: 'https://api.west.example.com:6443', podCidr: '172.30.0.0/16', serviceCidr: '172.21.0.0/16' };

function synth(kind: ControlPlaneAddressKind | undefined, patch: Partial<ClusterSpec> = {}, more: ClusterSpec[] = []) {
  const spec: MeshSpec = { mesh: { credentials: { source: 'flux-substitution' } }, clusters: [{ ...EAST, controlPlaneAddressKind: kind, ...patch }, WEST, ...more] };
  const output = synthesizeOutput(buildMesh(Mesh.fromSpec(spec)));
  const all: Manifest[] = [...[...output.manifests.clusters.values()].flat(), ...output.manifests.controlPlane];
  const find = (cluster: string, kind: string, name: string) =>
    output.manifests.clusters.get(cluster)!.find((m) => m.kind === kind && m.metadata.name === name) as (Manifest & Record<string, any>) | undefined;
  return { output, all, find, readme: output.tree.get('README.md')! };
}

const portsOf = (service: Record<string, any>) => service.spec.ports.map((p: any) => [p.port, p.targetPort]);

describe.each([
  // kind, endpoint ports, remote Service ports (port, targetPort), east-west gateway and expose-istiod
  ['eastwest-gateway', [15012, 15017], [[15012, undefined], [443, 15017]], true],
  ['istiod-service', [15012, 443], [[15012, undefined], [443, 443]], false],
  ['istiod-pod', [15012, 15017], [[15012, undefined], [443, 15017]], false],
] as const)('controlPlaneAddressKind %s', (kind, endpointPorts, servicePorts, gateway) => {
  const { output, all, find, readme } = synth(kind);

  it('passes the analyzers and the schemas', () => {
    // (istiod-pod warns that the pod IP changes, see below)
    expect(output.findings.filter((finding) => finding.code !== 'MCL0061')).toEqual([]);
    expectValidManifests(all);
  });

  it('points the remote at the address, on the ports that serve xDS and the webhook there', () => {
    expect(find('west', 'EndpointSlice', 'istiod')).toMatchObject({ endpoints: [{ addresses: ['10.0.0.5'] }] });
    expect(find('west', 'EndpointSlice', 'istiod')!.ports.map((p: { port: number }) => p.port)).toEqual(endpointPorts);
    expect(portsOf(find('west', 'Service', 'istiod')!)).toEqual(servicePorts);
  });

  it(`${gateway ? 'emits' : 'emits no'} east-west gateway and expose-istiod`, () => {
    expect(find('east', 'Deployment', 'istio-eastwestgateway') !== undefined).toBe(gateway);
    expect(output.manifests.controlPlane.some((m) => m.metadata.name === 'istiod-gateway')).toBe(gateway);
    expect(output.manifests.controlPlane.some((m) => m.metadata.name === 'istiod-vs')).toBe(gateway);
  });

  it('says in the README how remotes reach istiod and what the flat network must route', () => {
    expect(readme).toContain(`## Reaching istiod\n\nRemotes reach istiod at \`10.0.0.5\` (\`controlPlaneAddressKind: ${kind}\`)`);
    expect(readme).toContain(`sends 15012 (xDS, certificates) to port 15012 and 443 (the injection webhook) to port ${endpointPorts[1]} of that address.`);
    expect(readme).toContain('| `east` | `10.0.0.0/24,10.1.0.0/16` | `172.21.0.0/16,172.30.0.0/16` |');
    expect(readme).toContain('| `west` | `172.21.0.0/16,172.30.0.0/16` | `10.0.0.0/24,10.1.0.0/16` |');
  });
});

describe('controlPlaneAddressKind', () => {
  it('says which of the control plane\'s ranges each kind needs routed', () => {
    expect(synth('istiod-service').readme).toContain("must route east's service range `10.0.0.0/24`, ports 15012 and 443.");
    expect(synth('istiod-pod').readme).toContain("must route east's pod range `10.1.0.0/16`, ports 15012 and 15017.");
    // the east-west gateway: its Service IP on one network (ClusterIP), its load-balancer address once another network reaches it
    expect(synth(undefined).readme).toContain("(`eastwest-gateway`, a `ClusterIP` gateway on one network): every remote, its API server included, must route east's service range `10.0.0.0/24`, ports 15012 and 15017 of the east-west gateway's Service IP.");
    expect(synth(undefined, { network: 'network2' }).readme).toContain('(`controlPlaneAddressKind: eastwest-gateway`): the load-balancer address of the east-west gateway `istio-eastwestgateway`');
  });

  it('warns only for a pod IP, which changes on restart: MCL0061, mesh-wide, among the findings', () => {
    const warning = {
      code: 'MCL0061',
      message: 'clusters[0].controlPlaneAddressKind is istiod-pod: remotes reach istiod at a pod IP, which changes whenever the pod restarts',
      hint: 'set the new IP and synthesize again then, or use istiod-service or eastwest-gateway for a stable address',
    };
    const { output } = synth('istiod-pod');
    expect(output.findings).toEqual([{ ...warning, severity: 'warning', cluster: 'east', folder: 'control-plane', object: 'mesh/istio-remote' }]);
    expect(output.constructWarnings).toEqual([{ ...warning, constructPath: 'mesh/istio-remote' }]);
    expect(synth('istiod-service').output.findings).toEqual([]);
    expect(synth('eastwest-gateway').output.findings).toEqual([]);
  });

  it('keeps the cross-network gateway of a multi-network mesh without exposing istiod', () => {
    // GIVEN remotes reaching istiod's Service IP, one of them on another network
    const { output, find } = synth('istiod-service', {}, [{ name: 'edge', url: 'https://api.edge.example.com:6443', network: 'network2' }]);
    // THEN every cluster runs an east-west gateway for cross-network traffic, and istiod is not exposed through it
    expect(find('east', 'Deployment', 'istio-eastwestgateway')).toBeDefined();
    expect(find('edge', 'Deployment', 'istio-eastwestgateway')).toBeDefined();
    expect(output.manifests.controlPlane.map((m) => m.metadata.name)).toContain('cross-network-gateway');
    expect(output.manifests.controlPlane.map((m) => m.metadata.name)).not.toContain('istiod-gateway');
  });

  it.each([
    ['istiod-service', [], 'which istiod\'s Service serves.'],
    ['eastwest-gateway', ['MCL0062'], 'which the east-west gateway does not serve (it listens on 15017)'],
    ['istiod-pod', ['MCL0061', 'MCL0062'], 'which an istiod pod does not serve (it listens on 15017)'],
  ] as const)('states the ExternalName port facts of a DNS name for %s', (kind, warned, fact) => {
    // GIVEN the control plane at a DNS name
    const { output, find, readme } = synth(kind, { controlPlaneAddress: 'istiod.east.example.com' });
    // THEN the remote's istiod Service is an ExternalName, the README states where each port goes, and only kinds that miss 443 warn about the webhook
    expect(find('west', 'Service', 'istiod')!.spec).toMatchObject({ type: 'ExternalName', externalName: 'istiod.east.example.com' });
    expect(readme).toContain('Proxies dial the name at 15012, and kube-apiserver calls the webhook at the name\'s port 443');
    expect(readme).toContain(fact);
    expect(output.findings.map((finding) => [finding.code, finding.folder])).toEqual(warned.map((code) => [code, code === 'MCL0062' ? 'clusters/west' : 'control-plane']));
  });

  it('gives a missing address a placeholder, the command that reads it for the kind and where it goes', () => {
    // GIVEN the seed's inventory shape: no controlPlaneAddress
    const { output, find, readme } = synth('istiod-service', { controlPlaneAddress: undefined });
    // THEN the remote points at the placeholder, and the README and the warning say how to fix it
    expect(find('west', 'Service', 'istiod')!.spec).toMatchObject({ type: 'ExternalName', externalName: 'CONTROL_PLANE_ADDRESS_NOT_SET' });
    expect(readme).toContain("**`clusters[0].controlPlaneAddress` is not set.**");
    expect(readme).toContain("```sh\nkubectl --context=east -n istio-system get service istiod -o jsonpath='{.spec.clusterIP}'\n```");
    expect(readme).toContain('set it as `clusters[0].controlPlaneAddress` in the inventory (`controlPlaneAddressKind: istiod-service`)');
    expect(output.findings).toEqual([expect.objectContaining({ code: 'MCL0060', severity: 'warning', message: expect.stringContaining('clusters[0].controlPlaneAddress is not set') })]);
    expect(synth('istiod-pod', { controlPlaneAddress: undefined }).readme).toContain("get pod -l app=istiod -o jsonpath='{.items[0].status.podIP}'");
  });

  it('passes the analyzers and the schemas with a non-default trust domain on the remotes', () => {
    const spec: MeshSpec = { mesh: { trustDomain: 'example.org', credentials: { source: 'flux-substitution' } }, clusters: [EAST, WEST] };
    const output = synthesizeOutput(buildMesh(Mesh.fromSpec(spec)));
    const west = output.manifests.clusters.get('west')!;
    expect(west.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name)).toEqual(['istio']);
    expect(output.findings).toEqual([]);
    expectValidManifests([...west]);
  });

  it('leaves the flat-network section out when no two clusters of a network give ranges', () => {
    const spec: MeshSpec = { clusters: [{ ...EAST, podCidr: undefined, serviceCidr: undefined }, WEST] };
    expect(synthesizeOutput(buildMesh(Mesh.fromSpec(spec))).tree.get('README.md')).not.toContain('## Flat network routing');
  });
});

describe('controlPlaneAddressKind with the sail installer', () => {
  function synthSail(patch: Partial<ClusterSpec>) {
    const spec: MeshSpec = { mesh: { installer: 'sail', credentials: { source: 'flux-substitution' } }, clusters: [{ ...EAST, ...patch }, WEST] };
    const output = synthesizeOutput(buildMesh(Mesh.fromSpec(spec)));
    const west = output.manifests.clusters.get('west')! as (Manifest & Record<string, any>)[];
    return { output, west, istio: west.find((m) => m.kind === 'Istio')!, readme: output.tree.get('README.md')! };
  }

  it.each(['eastwest-gateway', 'istiod-pod'] as const)('leaves the remote istiod Service to the operator, which sends 15012 and 15017 to the IP: %s', (kind) => {
    // GIVEN a sail mesh whose remotes reach istiod at an IP that serves the webhook on 15017
    const { output, west, istio, readme } = synthSail({ controlPlaneAddressKind: kind });
    // THEN the remote Istio names the address, the folder holds no istiod Service of its own, and the README states the operator's ports
    expect(istio.spec.values.global.remotePilotAddress).toBe('10.0.0.5');
    expect(west.filter((m) => m.metadata.name === 'istiod' && ['Service', 'EndpointSlice'].includes(m.kind))).toEqual([]);
    expect(readme).toContain('sends 15012 (xDS, certificates) to port 15012 and 443 (the injection webhook) to port 15017 of that address.');
    expect(output.findings.filter((finding) => finding.code !== 'MCL0061')).toEqual([]);
  });

  it("accepts istiod's Service by DNS name, which the operator renders as an ExternalName called on 443", () => {
    // GIVEN a DNS name of istiod's Service WHEN synthesized THEN the remote Istio names it and nothing warns
    const { output, istio } = synthSail({ controlPlaneAddressKind: 'istiod-service', controlPlaneAddress: 'istiod.east.example.com' });
    expect(istio.spec.values.global.remotePilotAddress).toBe('istiod.east.example.com');
    expect(output.findings).toEqual([]);
  });

  it("puts the placeholder of a missing address into the remote Istio's remotePilotAddress and says so", () => {
    // GIVEN no controlPlaneAddress WHEN synthesized
    const { output, istio, readme } = synthSail({ controlPlaneAddress: undefined });
    // THEN the remote Istio carries the placeholder, and the warning and the README say where it fails
    expect(istio.spec.values.global.remotePilotAddress).toBe('CONTROL_PLANE_ADDRESS_NOT_SET');
    expect(output.findings).toEqual([
      expect.objectContaining({
        code: 'MCL0060',
        message:
          'clusters[0].controlPlaneAddress is not set: the remotes\' Istio resources give the placeholder "CONTROL_PLANE_ADDRESS_NOT_SET" as remotePilotAddress, ' +
          'and the API server rejects the istiod Service the operator renders from it',
        hint: expect.stringMatching(/^read the address with /),
      }),
    ]);
    expect(readme).toContain("The remotes' `Istio` resources give the placeholder `CONTROL_PLANE_ADDRESS_NOT_SET` as `remotePilotAddress`");
  });
});
