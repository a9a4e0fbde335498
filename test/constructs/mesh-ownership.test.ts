/**
 * Constructs own their objects: each makes a MeshPart per output folder as its child, so the
 * construct tree says who made what, escape hatches start at the construct, constructs nest under
 * any scope of the mesh, and what synthesis cannot place or order fails loudly.
 */
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, Node } from 'constructs';
import { describe, expect, it } from 'vitest';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { IstioMesh } from '../../constructs/istio-mesh';
import { IstioRemote } from '../../constructs/istio-remote';
import { MeshPart } from '../../constructs/mesh-part';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { MultiClusterSecret } from '../../constructs/multi-cluster-secret';
import { TlsGateway } from '../../constructs/tls-gateway';
import { InvalidPropsError } from '../../lib/errors';
import { Mesh } from '../../lib/model/mesh';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { MeshTesting, TEST_MESH_SPEC } from '../../lib/synth/testing';

/** A gateway of namespace shop on both clusters, whose Namespace an MtlsNamespace emits. */
function meshWithGateway(scopeOf: (mesh: IstioMesh) => Construct = (mesh) => mesh) {
  const mesh = MeshTesting.mesh();
  new MtlsNamespace(mesh, 'shop-mtls', { namespace: 'shop', services: [] });
  const gateway = new TlsGateway(scopeOf(mesh), 'gateway', { namespace: 'shop', hosts: ['shop.example.com'] });
  return { mesh, gateway };
}

const kindsOf = (constructs: readonly unknown[]) => constructs.filter(ApiObject.isApiObject).map((object) => `${object.kind}/${object.name}`);

describe('constructs own their objects', () => {
  it('finds every object of a TlsGateway under it, a part per folder', () => {
    // GIVEN a gateway on both clusters
    const { gateway } = meshWithGateway();
    // WHEN its subtree is listed
    const objects = Node.of(gateway).findAll().filter(ApiObject.isApiObject);
    // THEN it holds its workload and credential per cluster, and its Gateway on the control plane
    expect(gateway.parts.map((part) => [part.node.id, part.cluster, part.controlPlane])).toEqual([
      ['cluster-east', 'east', false],
      ['cluster-west', 'west', false],
      ['control-plane', 'east', true],
    ]);
    expect(kindsOf(gateway.partIn('west').node.findAll())).toEqual([
      'ServiceAccount/shop-ingressgateway',
      'Role/shop-ingressgateway',
      'RoleBinding/shop-ingressgateway',
      'Deployment/shop-ingressgateway',
      'Service/shop-ingressgateway',
      'Issuer/selfsigned',
      'Certificate/shop-ingressgateway-tls',
    ]);
    expect(kindsOf(gateway.controlPlanePart.node.findAll())).toEqual(['Gateway/shop-ingressgateway']);
    expect(objects).toHaveLength(15);
    expect(objects.filter((object) => object.kind === 'Deployment')).toEqual([...gateway.deployments.values()]);
  });

  it('hands out the main objects of the east-west gateway and of an mTLS namespace', () => {
    // GIVEN an east-west gateway on both clusters and an mTLS namespace of two services
    const mesh = MeshTesting.mesh();
    const eastWest = new EastWestGateway(mesh, 'east-west', { clusters: ['east', 'west'] });
    const mtls = new MtlsNamespace(mesh, 'shop-mtls', { namespace: 'shop', services: [{ name: 'web' }, { name: 'db' }] });
    // THEN each handle is the object its part holds
    expect([...eastWest.deployments.keys()]).toEqual(['east', 'west']);
    expect(eastWest.deployments.get('west')!.node.scopes).toContain(eastWest.partIn('west'));
    expect(kindsOf([mtls.peerAuthentication, ...mtls.destinationRules.values()])).toEqual(['PeerAuthentication/default', 'DestinationRule/web', 'DestinationRule/db']);
    expect(mtls.controlPlanePart.node.findAll()).toContain(mtls.destinationRules.get('db'));
  });

  it('writes an escape-hatch patch of one owned object into that cluster only', () => {
    // GIVEN a gateway whose west Deployment is patched through its handle
    const { mesh, gateway } = meshWithGateway();
    gateway.deployments.get('west')!.addJsonPatch(JsonPatch.add('/spec/replicas', 3));
    // WHEN synthesized
    const folders = MeshTesting.synth(mesh);
    // THEN only the west Deployment has the replicas
    const replicas = (folder: string) => (MeshTesting.find(folders[folder], 'Deployment', 'shop-ingressgateway')[0].spec as { replicas?: number }).replicas;
    expect([replicas('clusters/east'), replicas('clusters/west')]).toEqual([undefined, 3]);
  });

  it('creates constructs under any scope inside the mesh, with the same output', () => {
    // GIVEN the same gateway directly under the mesh and under a plain construct of it
    const direct = meshWithGateway();
    const nested = meshWithGateway((mesh) => new Construct(new Construct(mesh, 'team'), 'ingress'));
    // WHEN both are synthesized
    // THEN they find their mesh and write the same folders
    expect(IstioMesh.of(nested.gateway)).toBe(nested.mesh);
    expect(nested.gateway.node.path).toBe('mesh/team/ingress/gateway');
    expect(MeshTesting.synth(nested.mesh)).toEqual(MeshTesting.synth(direct.mesh));
  });

  it('refuses a construct outside any IstioMesh, naming its path', () => {
    // GIVEN a scope of a plain App WHEN a gateway is created there THEN it fails as invalid props
    const create = () => new TlsGateway(new Chart(new App(), 'chart'), 'gateway', { namespace: 'shop', hosts: ['shop.example.com'] });
    expect(create).toThrow(InvalidPropsError);
    expect(create).toThrow('chart/gateway must be created under an IstioMesh, at any depth');
  });

  it('names the construct path and the prop of invalid props', () => {
    // GIVEN a gateway with an invalid route port WHEN created
    const mesh = MeshTesting.mesh();
    let error: unknown;
    try {
      new TlsGateway(mesh, 'gateway', { namespace: 'shop', hosts: ['shop.example.com'], routes: [{ matches: [], destination: { host: 'web', port: 0 } }] });
    } catch (caught) {
      error = caught;
    }
    // THEN the error says where and which prop
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect(error).toMatchObject({
      constructPath: 'mesh/gateway',
      prop: 'routes[0].destination.port',
      message: '[mesh/gateway] TlsGateway route destination port 0 is not a port number (a whole number from 1 to 65535)',
    });
  });

  it('turns a model rule broken by a prop into an InvalidPropsError naming that prop', () => {
    // GIVEN gateways with an unknown cluster and an invalid namespace WHEN created THEN each names its prop
    const mesh = MeshTesting.mesh();
    const create = (id: string, props: { namespace: string; clusters?: string[] }) => () => new TlsGateway(mesh, id, { hosts: ['shop.example.com'], ...props });
    expect(create('a', { namespace: 'shop', clusters: ['north'] })).toThrow(expect.objectContaining({ prop: 'clusters', message: '[mesh/a] Unknown cluster "north"; the mesh has: east, west' }));
    expect(create('b', { namespace: 'Shop' })).toThrow(expect.objectContaining({ prop: 'namespace', constructPath: 'mesh/b' }));
    expect(create('b2', { namespace: 'Shop' })).toThrow('[mesh/b2] TlsGateway namespace "Shop" is not a DNS-1123 label');
  });

  it('fails synthesis for an object outside the mesh charts instead of dropping it', () => {
    // GIVEN a mesh whose App also holds a chart of its own, with a ConfigMap
    const mesh = MeshTesting.mesh();
    new IstioRemote(mesh, 'remotes');
    new k8s.KubeConfigMap(new Chart(App.of(mesh), 'stray'), 'settings', { metadata: { name: 'settings' } });
    // WHEN synthesized THEN it fails naming the object
    expect(() => synthesizeMesh(mesh)).toThrow("[stray/settings] is outside the mesh's charts, so no folder would hold it");
  });

  it('writes objects placed in the mesh charts directly, or in charts of their own inside them', () => {
    // GIVEN a ConfigMap in west's chart and one in a chart of the user's inside the control-plane chart
    const mesh = MeshTesting.mesh();
    new k8s.KubeConfigMap(mesh.clusterChart('west'), 'settings', { metadata: { name: 'settings', namespace: 'default' } });
    new k8s.KubeConfigMap(new Chart(mesh.controlPlaneChart, 'mine'), 'extra', { metadata: { name: 'extra', namespace: 'default' } });
    // WHEN synthesized THEN each is in its folder
    const folders = MeshTesting.synth(mesh);
    expect(MeshTesting.find(folders['clusters/west'], 'ConfigMap').map((m) => m.metadata.name)).toEqual(['settings']);
    expect(MeshTesting.find(folders['control-plane'], 'ConfigMap').map((m) => m.metadata.name)).toEqual(['extra']);
    expect(MeshTesting.find(folders['clusters/east'], 'ConfigMap')).toEqual([]);
  });

  it('rejects node.addDependency with what to do, rather than ignoring it', () => {
    // GIVEN a gateway that depends on the remote components
    const { mesh, gateway } = meshWithGateway();
    const remotes = new IstioRemote(mesh, 'remotes');
    gateway.node.addDependency(remotes);
    // WHEN synthesized THEN it fails naming both
    expect(() => synthesizeMesh(mesh)).toThrow('[mesh/gateway] depends on mesh/remotes (node.addDependency), which the output cannot honour');
  });

  it('gives a construct one part per folder and keeps parts apart from other children', () => {
    // GIVEN a gateway WHEN its part of a cluster is asked twice THEN it is the same part
    const { gateway } = meshWithGateway();
    expect(gateway.partIn('east')).toBe(gateway.partIn('east'));
    expect(MeshPart.isMeshPart(gateway.partIn('east'))).toBe(true);
    // AND a cluster the mesh lacks is refused
    expect(() => gateway.partIn('north')).toThrow('Unknown cluster "north"; the mesh has: east, west');
  });
});

describe('construct warnings', () => {
  it('are structured (code, construct path, cluster, message, hint) and come out as findings of that cluster', () => {
    // GIVEN remotes reaching a control plane by DNS name (the ExternalName webhook warning)
    const spec = { ...TEST_MESH_SPEC, clusters: [{ ...TEST_MESH_SPEC.clusters[0], controlPlaneAddress: 'istiod.east.example.com' }, TEST_MESH_SPEC.clusters[1]] };
    const mesh = MeshTesting.mesh(spec);
    new IstioRemote(mesh, 'remotes');
    // WHEN synthesized
    const { constructWarnings } = synthesizeMesh(mesh);
    // THEN the warning names its code, construct and cluster
    const message = expect.stringContaining('the injection webhook reaches istiod through the ExternalName Service');
    const hint = 'set clusters[1].injectionUrl (https://<host>:15017/inject/...) unless that address serves the webhook on 443';
    expect(constructWarnings).toEqual([{ code: 'MCL0062', constructPath: 'mesh/remotes', cluster: 'west', message, hint }]);
    // AND MeshTesting reports it as app.synth() does: a warning on that cluster's folder, naming the construct
    expect(MeshTesting.findings(mesh).filter((finding) => finding.severity === 'warning')).toEqual([{ code: 'MCL0062', severity: 'warning', cluster: 'west', folder: 'clusters/west', object: 'mesh/remotes', message, hint }]);
  });

  it('put a mesh-wide warning on the control-plane folder, and take a code of your own', () => {
    // GIVEN a construct of one's own raising a mesh-wide warning with its own code
    const mesh = MeshTesting.mesh();
    const own = new Construct(mesh, 'audit');
    mesh.addWarning(own, { code: 'ACM0001', message: 'the mesh has no owner label', hint: 'label it' });
    // WHEN analyzed THEN it is a warning of the control-plane cluster's control-plane folder (beside the errors of a mesh without remote secrets)
    expect(MeshTesting.findings(mesh).filter((finding) => finding.severity === 'warning')).toEqual([
      { code: 'ACM0001', severity: 'warning', cluster: 'east', folder: 'control-plane', object: 'mesh/audit', message: 'the mesh has no owner label', hint: 'label it' },
    ]);
    // AND a code --suppress could not name is refused at once
    expect(() => mesh.addWarning(own, { code: 'acm-1', message: 'm', hint: 'h' })).toThrow('mesh/audit: warning code "acm-1" is not three capitals and four digits (e.g. MCL0060)');
  });
});

describe('MeshTesting.mesh', () => {
  it('builds a two-cluster fixture in one line, or the spec given', () => {
    // GIVEN no spec, then a spec WHEN meshes are built THEN they hold the clusters asked
    expect(MeshTesting.mesh().model.clusters.map((cluster) => cluster.name)).toEqual(['east', 'west']);
    const single = MeshTesting.mesh({ ...TEST_MESH_SPEC, clusters: [TEST_MESH_SPEC.clusters[0]] });
    expect(single.model.clusters.map((cluster) => cluster.name)).toEqual(['east']);
    expect(single.model).toBeInstanceOf(Mesh);
  });
});

describe('the testing example of docs/constructs.md', () => {
  it('holds: remotes, their secrets and the east-west gateway they reach istiod through on the test mesh have no analyzer finding', () => {
    // GIVEN the fixture with the remote components, secrets and east-west gateway WHEN analyzed THEN nothing is found
    const mesh = MeshTesting.mesh();
    new IstioRemote(mesh, 'remotes');
    new MultiClusterSecret(mesh, 'remote-secrets');
    new EastWestGateway(mesh, 'east-west');
    expect(MeshTesting.findings(mesh)).toEqual([]);
  });
});
