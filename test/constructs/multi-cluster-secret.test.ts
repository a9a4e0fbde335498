import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MultiClusterSecret, type MultiClusterSecretProps } from '../../constructs/multi-cluster-secret';
import { Mesh, type MeshFromSpecOptions } from '../../lib/model/mesh';
import type { ClusterSpec, CredentialsSpec, MeshSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';

const ICP: ClusterSpec = { name: 'icp', url: 'https://icp.example.com:8443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', token: 'icp-secret-token' };
const IKS: ClusterSpec = { name: 'iks', url: 'https://iks.example.com:6443', token: 'iks-secret-token' };
const EDGE_CLUSTER: ClusterSpec = { name: 'edge-1', url: 'https://edge.example.com', token: 'edge-secret-token' };

function meshSpec(credentials?: CredentialsSpec, clusters: ClusterSpec[] = [ICP, IKS, EDGE_CLUSTER]): MeshSpec {
  return { mesh: { credentials }, clusters };
}

function synth(spec: MeshSpec, props?: MultiClusterSecretProps, options?: MeshFromSpecOptions) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(spec, options) });
  new MultiClusterSecret(mesh, 'secrets', props);
  return synthesizeMesh(mesh);
}

type Kubeconfig = { clusters: [{ cluster: Record<string, string> }]; users: [{ user: { token: string } }] };

/** The kubeconfig under the cluster's key of a Secret's stringData. */
function kubeconfigOf(secret: Manifest, cluster: string): Kubeconfig {
  const stringData = secret.stringData as Record<string, string>;
  expect(Object.keys(stringData)).toEqual([cluster]);
  return load(stringData[cluster]) as Kubeconfig;
}

describe('MultiClusterSecret', () => {
  it('renders each remote secret through an ExternalSecret by default, writing no Secret and no token', () => {
    // GIVEN a mesh with the default credentials and tokens in its inventory
    // WHEN MultiClusterSecret is synthesized
    const { manifests, constructWarnings } = synth(meshSpec());
    // THEN the control plane gets one ExternalSecret per remote, and nothing else
    expect(manifests.controlPlane.map((m) => `${m.apiVersion} ${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'external-secrets.io/v1 ExternalSecret/istio-system/istio-remote-secret-iks',
      'external-secrets.io/v1 ExternalSecret/istio-system/istio-remote-secret-edge-1',
    ]);
    expect([...manifests.clusters.values()].flat()).toEqual([]);
    expect(JSON.stringify(manifests)).not.toMatch(/secret-token/);
    expect(constructWarnings).toEqual([]);
  });

  it('templates the istioctl secret shape in the ExternalSecret and reads token and CA from the store', () => {
    // GIVEN a mesh with the default credentials
    // WHEN MultiClusterSecret is synthesized
    const externalSecret = synth(meshSpec()).manifests.controlPlane[0] as Manifest & { spec: any };
    // THEN the target is the remote secret with istiod's label and annotation, no type, one key per cluster
    expect(externalSecret.spec.refreshInterval).toBe('1h');
    expect(externalSecret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'istio-remote-tokens' });
    expect(externalSecret.spec.target).toMatchObject({
      name: 'istio-remote-secret-iks',
      creationPolicy: 'Owner',
      template: {
        engineVersion: 'v2',
        metadata: { labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': 'iks' } },
      },
    });
    expect(externalSecret.spec.target.template.type).toBeUndefined();
    expect(externalSecret.spec.data).toEqual([
      { secretKey: 'token', remoteRef: { key: 'istio-remote-token-iks', property: 'token' } },
      { secretKey: 'ca', remoteRef: { key: 'istio-remote-token-iks', property: 'ca.crt' } },
    ]);
    // AND the kubeconfig is laid out as istioctl prints it, with Go template placeholders
    expect(externalSecret.spec.target.template.data).toEqual({
      iks: [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        "    certificate-authority-data: '{{ .ca | b64enc }}'",
        '    server: https://iks.example.com:6443',
        '  name: iks',
        'contexts:',
        '- context:',
        '    cluster: iks',
        '    user: iks',
        '  name: iks',
        'current-context: iks',
        'kind: Config',
        'users:',
        '- name: iks',
        '  user:',
        "    token: '{{ .token }}'",
        '',
      ].join('\n'),
    });
  });

  it('reads from the configured store at the configured interval', () => {
    // GIVEN a mesh naming its own SecretStore and refresh interval
    const spec = meshSpec({ source: 'external-secret', secretStore: { kind: 'SecretStore', name: 'vault' }, refreshInterval: '15m' });
    // WHEN MultiClusterSecret is synthesized
    const externalSecret = synth(spec).manifests.controlPlane[0] as Manifest & { spec: any };
    // THEN the ExternalSecret uses them
    expect(externalSecret.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'vault' });
    expect(externalSecret.spec.refreshInterval).toBe('15m');
  });

  it('writes Secrets with Flux substitution placeholders for token and CA under flux-substitution', () => {
    // GIVEN a mesh whose tokens come from Flux post-build substitution, one of them from a named variable
    const spec = meshSpec({ source: 'flux-substitution' });
    // WHEN MultiClusterSecret is synthesized
    const { manifests } = synth(spec, {}, { tokenVariables: { 'edge-1': 'EDGE_TOKEN' } });
    // THEN each remote gets the istioctl-shaped Secret with ${VAR} placeholders and no token
    const [iks, edge] = manifests.controlPlane;
    expect(iks.apiVersion).toBe('v1');
    expect(iks.kind).toBe('Secret');
    expect(iks.metadata).toEqual({
      name: 'istio-remote-secret-iks',
      namespace: 'istio-system',
      labels: { 'istio/multiCluster': 'true' },
      annotations: { 'networking.istio.io/cluster': 'iks' },
    });
    expect(iks.type).toBeUndefined();
    expect(iks.data).toBeUndefined();
    expect(kubeconfigOf(iks, 'iks')).toEqual({
      apiVersion: 'v1',
      clusters: [{ cluster: { 'certificate-authority-data': '${ISTIO_REMOTE_CA_IKS}', server: 'https://iks.example.com:6443' }, name: 'iks' }],
      contexts: [{ context: { cluster: 'iks', user: 'iks' }, name: 'iks' }],
      'current-context': 'iks',
      kind: 'Config',
      users: [{ name: 'iks', user: { token: '${ISTIO_REMOTE_TOKEN_IKS}' } }],
    });
    const edgeKubeconfig = kubeconfigOf(edge, 'edge-1');
    expect(edgeKubeconfig.users[0].user.token).toBe('${EDGE_TOKEN}');
    expect(edgeKubeconfig.clusters[0].cluster['certificate-authority-data']).toBe('${ISTIO_REMOTE_CA_EDGE_1}');
    expect(JSON.stringify(manifests)).not.toMatch(/secret-token|\{\{/);
  });

  it('writes the inventory tokens, without a CA, and warns under inline with the opt-in', () => {
    // GIVEN a mesh with inline credentials and the explicit opt-in
    // WHEN MultiClusterSecret is synthesized
    const { manifests, constructWarnings } = synth(meshSpec({ source: 'inline' }), { allowInlineCredentials: true });
    // THEN the Secrets hold the tokens and a warning says so
    const [iks, edge] = manifests.controlPlane;
    const kubeconfig = kubeconfigOf(iks, 'iks');
    expect(kubeconfig.users[0].user.token).toBe('iks-secret-token');
    expect(kubeconfig.clusters[0].cluster).toEqual({ server: 'https://iks.example.com:6443' });
    expect(kubeconfigOf(edge, 'edge-1').users[0].user.token).toBe('edge-secret-token');
    expect(JSON.stringify(manifests)).not.toMatch(/icp-secret-token/);
    expect(constructWarnings).toEqual([
      {
        code: 'MCL0063',
        constructPath: 'mesh/secrets',
        message:
          'the remote secrets istio-remote-secret-iks, istio-remote-secret-edge-1 hold bearer tokens from the inventory: the output contains credentials (inventory: mesh.credentials.source is "inline"; clusters[1].token, clusters[2].token)',
        hint: 'keep the output out of Git, or use credentials.source "external-secret" or "flux-substitution"',
      },
    ]);
  });

  it('writes an inline remote\'s caData where istioctl create-remote-secret writes the CA: certificate-authority-data, before server', () => {
    // GIVEN an inline remote with its API server CA
    const caData = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    const { manifests } = synth(meshSpec({ source: 'inline' }, [ICP, { ...IKS, caData }]), { allowInlineCredentials: true });
    // THEN the kubeconfig's cluster carries it, keyed and ordered as istioctl prints it
    const cluster = kubeconfigOf(manifests.controlPlane[0], 'iks').clusters[0].cluster;
    expect(cluster).toEqual({ 'certificate-authority-data': caData, server: 'https://iks.example.com:6443' });
    expect(Object.keys(cluster)).toEqual(['certificate-authority-data', 'server']);
  });

  it('refuses inline credentials without the opt-in', () => {
    // GIVEN a mesh with inline credentials
    // WHEN MultiClusterSecret is created without allowInlineCredentials
    // THEN it throws explaining the opt-in
    expect(() => synth(meshSpec({ source: 'inline' }))).toThrow(
      'MultiClusterSecret: the mesh has credentials.source "inline", which writes each remote\'s bearer token into the output; ' +
        'pass allowInlineCredentials: true (CLI: --allow-inline-credentials) to accept that, or use credentials.source "external-secret" or "flux-substitution"',
    );
  });

  it('never gets an inline mesh with a remote lacking its token: the model names the field', () => {
    // GIVEN an inline mesh whose second remote has no token
    const spec = meshSpec({ source: 'inline' }, [ICP, IKS, { name: 'edge-1', url: 'https://edge.example.com' }]);
    // THEN the model refuses it, with the field path, before any construct runs
    expect(() => synth(spec, { allowInlineCredentials: true })).toThrow(
      'clusters[2].token: is missing; credentials.source "inline" writes each remote\'s token into its remote secret',
    );
  });

  it('writes nothing and warns of nothing for a mesh without remotes', () => {
    // GIVEN an inline single-cluster mesh
    // WHEN MultiClusterSecret is synthesized with the opt-in
    const { manifests, constructWarnings } = synth(meshSpec({ source: 'inline' }, [ICP]), { allowInlineCredentials: true });
    // THEN there are no remote secrets and no warning
    expect(manifests.controlPlane).toEqual([]);
    expect(constructWarnings).toEqual([]);
  });

  it('fails synthesis when a mesh has two MultiClusterSecrets', () => {
    // GIVEN two MultiClusterSecrets in one mesh
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(meshSpec()) });
    new MultiClusterSecret(mesh, 'first');
    new MultiClusterSecret(mesh, 'second');
    // WHEN the mesh is synthesized
    // THEN validation names the first one
    expect(() => synthesizeMesh(mesh)).toThrow('[mesh/second] the remote secrets are already written by the MultiClusterSecret at mesh/first; a mesh takes one');
  });

  it('emits schema-valid objects for every credential source', () => {
    // GIVEN the three credential sources
    const externalSecrets = synth(meshSpec()).manifests.controlPlane;
    const fluxSecrets = synth(meshSpec({ source: 'flux-substitution' })).manifests.controlPlane;
    const inlineSecrets = synth(meshSpec({ source: 'inline' }), { allowInlineCredentials: true }).manifests.controlPlane;
    // WHEN / THEN every ExternalSecret validates against its v1 CRD schema and every Secret against the Kubernetes one
    expect(externalSecrets.map((m) => m.kind)).toEqual(['ExternalSecret', 'ExternalSecret']);
    expectValidManifests([...externalSecrets, ...fluxSecrets, ...inlineSecrets]);
  });

  it('matches the snapshot of every credential source', () => {
    // GIVEN the three credential sources
    // WHEN MultiClusterSecret is synthesized with each
    const bySource = {
      externalSecret: synth(meshSpec()).manifests.controlPlane,
      fluxSubstitution: synth(meshSpec({ source: 'flux-substitution' })).manifests.controlPlane,
      inline: synth(meshSpec({ source: 'inline' }), { allowInlineCredentials: true }).manifests.controlPlane,
    };
    // THEN the control-plane objects are unchanged
    expect(bySource).toMatchSnapshot();
  });
});
