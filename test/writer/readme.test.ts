import { describe, expect, it } from 'vitest';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';
import { renderReadme } from '../../lib/writer/readme';

const SPEC: MeshSpec = {
  clusters: [
    { name: 'east-1', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', region: 'us-east1', zone: 'us-east1-b' },
    { name: 'west-2', url: 'https://api.west.example.com:6443', network: 'network2', region: 'us-west1' },
    { name: 'iks', url: 'https://iks.example.com:30426' },
  ],
};
const MESH = Mesh.fromSpec(SPEC);

const namespace = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

function deployment(name: string, podLabels: Record<string, string>, podAnnotations: Record<string, string> = {}): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'bookinfo' },
    spec: { selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels, annotations: podAnnotations }, spec: { containers: [] } } },
  };
}

const gateway = deployment('bookinfo-ingressgateway', { istio: 'bookinfo-ingressgateway' }, { 'inject.istio.io/templates': 'gateway' });
const workload = (app: string, version: string) => deployment(`${app}-${version}`, { app, version });
const certificate: Manifest = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'bookinfo-ingressgateway', namespace: 'bookinfo' } };
const issuer: Manifest = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned', namespace: 'bookinfo' } };

/** A remote secret rendered by external-secrets, shaped as the MultiClusterSecret construct renders it. */
function remoteExternalSecret(cluster: string): Manifest {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: `istio-remote-secret-${cluster}`, namespace: 'istio-system' },
    spec: {
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'istio-remote-tokens' },
      target: {
        name: `istio-remote-secret-${cluster}`,
        template: { metadata: { labels: { 'istio/multiCluster': 'true' } }, data: { [cluster]: 'kubeconfig {{ .token }}' } },
      },
      data: [{ secretKey: 'token', remoteRef: { key: `istio-remote-token-${cluster}`, property: 'token' } }],
    },
  };
}

function remoteSecret(cluster: string, token: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `istio-remote-secret-${cluster}`, namespace: 'istio-system', labels: { 'istio/multiCluster': 'true' } },
    stringData: { [cluster]: `token: ${token}` },
  };
}

const istioGateway: Manifest = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'bookinfo', namespace: 'bookinfo' } };

function manifestsOf(clusters: Record<string, Manifest[]>, controlPlane: Manifest[], controlPlaneCluster = 'east-1'): MeshManifests {
  return { clusters: new Map(Object.entries(clusters)), controlPlane, controlPlaneCluster };
}

/** Bookinfo split over three clusters: east-1 runs the gateway and productpage, west-2 reviews-v3, iks nothing. */
const MANIFESTS = manifestsOf(
  {
    'east-1': [namespace('bookinfo'), gateway, workload('productpage', 'v1'), certificate, issuer],
    'west-2': [namespace('bookinfo'), workload('reviews', 'v3')],
    'iks': [namespace('bookinfo')],
  },
  [istioGateway, remoteExternalSecret('west-2'), remoteSecret('iks', 'abc')],
);

/** The lines of the fenced block that follows `fence` (e.g. "```sh"). */
function block(readme: string, fence: string): string[] {
  const start = readme.indexOf(`${fence}\n`);
  expect(start, `no ${fence} block`).toBeGreaterThanOrEqual(0);
  const body = readme.slice(start + fence.length + 1);
  return body.slice(0, body.indexOf('```\n')).trimEnd().split('\n');
}

describe('renderReadme', () => {
  it('lists the commands in apply order: the control-plane cluster, the remotes\' mesh components, control-plane/, then the remotes', () => {
    // GIVEN a mesh and its manifests WHEN the README is rendered
    const readme = renderReadme(MESH, MANIFESTS);
    // THEN the commands apply each folder to its cluster in that order, the remotes' mesh components before their workloads
    expect(block(readme, '```sh')).toEqual([
      'kubectl --context east-1 apply -k clusters/east-1',
      'kubectl --context west-2 apply -k clusters/west-2 -l app.kubernetes.io/part-of=istio',
      'kubectl --context iks apply -k clusters/iks -l app.kubernetes.io/part-of=istio',
      '# publish the reader tokens (see Tokens)',
      'kubectl --context east-1 apply -k control-plane',
      'kubectl --context west-2 apply -k clusters/west-2',
      'kubectl --context iks apply -k clusters/iks',
    ]);
    // AND the steps start with the Istio install from install/ and publish the tokens before control-plane/ needs them
    const steps = readme.split('\n').filter((line) => /^\d\. /.test(line));
    expect(steps).toHaveLength(6);
    expect(steps[0]).toMatch(/^1\. Install Istio with the Helm values and commands in `install\/`/);
    expect(steps[1]).toMatch(/^2\. `clusters\/east-1\/` on `east-1` \(5 objects\)/);
    expect(steps[2]).toMatch(/^3\. The mesh components of each remote, the objects labelled `app.kubernetes.io\/part-of=istio` of `clusters\/west-2\/` on `west-2`, `clusters\/iks\/` on `iks`/);
    expect(steps[3]).toMatch(/^4\. Publish each remote's reader token/);
    expect(steps[4]).toMatch(/^5\. `control-plane\/` on `east-1` only \(3 objects\)/);
    expect(steps[5]).toMatch(/^6\. Each remote's whole folder: `clusters\/west-2\/` \(2 objects\), `clusters\/iks\/` \(1 object\)\./);
  });

  it('applies a mesh of one cluster in three steps', () => {
    const solo = Mesh.fromSpec({ clusters: [{ name: 'solo', url: 'https://solo.example.com', istio_control_plane: true }] });
    const readme = renderReadme(solo, manifestsOf({ solo: [namespace('bookinfo')] }, [istioGateway], 'solo'));
    expect(block(readme, '```sh')).toEqual(['kubectl --context solo apply -k clusters/solo', 'kubectl --context solo apply -k control-plane']);
    expect(readme.split('\n').filter((line) => /^\d\. /.test(line))).toHaveLength(3);
  });

  it('GIVEN a control-plane cluster folder with no object WHEN the README is rendered THEN it is not applied, since kubectl apply -k refuses an empty kustomization', () => {
    const readme = renderReadme(MESH, manifestsOf({ 'east-1': [], 'west-2': [namespace('bookinfo')], iks: [namespace('bookinfo')] }, [remoteSecret('west-2', 'a'), remoteSecret('iks', 'b')]));
    // Every command of a mesh whose control-plane cluster folder holds objects, but its apply.
    const [controlPlaneClusterApply, ...others] = block(renderReadme(MESH, MANIFESTS), '```sh');
    expect(controlPlaneClusterApply).toBe('kubectl --context east-1 apply -k clusters/east-1');
    expect(block(readme, '```sh')).toEqual(others);
    expect(readme).toContain('2. `clusters/east-1/` holds no object (the mesh places no gateway or workload on `east-1`): nothing to apply.');
  });

  it('tabulates each cluster with its role, network, locality and object count', () => {
    const readme = renderReadme(MESH, MANIFESTS);
    expect(readme).toContain(
      [
        '| Cluster | Role | Network | Locality | Objects |',
        '| --- | --- | --- | --- | ---: |',
        '| `east-1` | control plane | `network1` | `us-east1/us-east1-b` | 5 + 3 in `control-plane/` |',
        '| `west-2` | remote | `network2` | `us-west1` | 2 |',
        '| `iks` | remote | `network1` | - | 1 |',
      ].join('\n'),
    );
  });

  it('names cert-manager and external-secrets only for the clusters whose folders hold their objects', () => {
    // GIVEN Certificate/Issuer in east-1's folder and an ExternalSecret in control-plane/
    const readme = renderReadme(MESH, MANIFESTS);
    // THEN both operators are prerequisites on east-1 only, with the kinds that need them
    expect(readme).toContain('- [cert-manager](https://cert-manager.io/docs/installation/), its CRDs and controller, on `east-1` (for Certificate, Issuer).');
    expect(readme).toContain('- [External Secrets Operator](https://external-secrets.io/latest/introduction/getting-started/), its CRDs and controller, on `east-1` (for ExternalSecret).');
    // AND the store entries the tokens are read from are listed
    expect(readme).toContain("- `control-plane/` has external-secrets read them from the ClusterSecretStore `istio-remote-tokens`, which must hold `istio-remote-token-west-2` (property `token`).");
  });

  it('mentions no operator and no token source when the folders hold none of their objects', () => {
    // GIVEN plain Secrets with inline tokens and no cert-manager objects
    const readme = renderReadme(MESH, manifestsOf({ 'east-1': [gateway], 'west-2': [], 'iks': [] }, [remoteSecret('west-2', 'abc')]));
    // THEN neither operator nor a Tokens section appears
    expect(readme).not.toContain('cert-manager');
    expect(readme).not.toContain('External Secrets');
    expect(readme).not.toContain('## Tokens');
  });

  it('applies a folder with Flux placeholders through envsubst and names the variables', () => {
    // GIVEN a remote secret whose token is a ${VAR} placeholder for Flux
    const readme = renderReadme(MESH, manifestsOf({ 'east-1': [namespace('bookinfo')], 'west-2': [], 'iks': [] }, [remoteSecret('west-2', '${ISTIO_REMOTE_TOKEN_WEST_2}'), remoteSecret('iks', '${ISTIO_REMOTE_TOKEN_IKS}')]));
    // THEN applying it by hand fills exactly those variables
    expect(block(readme, '```sh')[4]).toBe("kubectl kustomize control-plane | envsubst '${ISTIO_REMOTE_TOKEN_IKS} ${ISTIO_REMOTE_TOKEN_WEST_2}' | kubectl --context east-1 apply -f -");
    expect(readme).toContain('the `envsubst` command above fills them from the environment: `ISTIO_REMOTE_TOKEN_IKS`, `ISTIO_REMOTE_TOKEN_WEST_2`.');
    expect(readme).toContain("kubectl --context <remote> -n istio-system get secret istio-reader-service-account-istio-remote-secret-token -o jsonpath='{.data.token}' | base64 -d");
    expect(readme).toContain("kubectl --context <remote> -n istio-system get secret istio-reader-service-account-istio-remote-secret-token -o jsonpath='{.data.ca\\.crt}' | base64 -d");
  });

  it('draws one subgraph per cluster in its region and zone, istiod on the control plane, gateways, workloads and each remote-secret link', () => {
    const mermaid = block(renderReadme(MESH, MANIFESTS), '```mermaid');
    expect(mermaid).toEqual([
      'flowchart TB',
      '  subgraph region_us_east1["region us-east1"]',
      '    subgraph zone_us_east1_us_east1_b["zone us-east1-b"]',
      '      subgraph cluster_east_1["east-1: control plane, network network1"]',
      '        apiserver_east_1["API server"]',
      '        istiod_east_1["istiod"]',
      '        gateway_east_1_bookinfo_bookinfo_ingressgateway["gateway bookinfo-ingressgateway (bookinfo)"]',
      '        workload_east_1_bookinfo_productpage_v1["productpage v1 (bookinfo)"]',
      '      end',
      '    end',
      '  end',
      '  subgraph region_us_west1["region us-west1"]',
      '    subgraph cluster_west_2["west-2: remote, network network2"]',
      '      apiserver_west_2["API server"]',
      '      workload_west_2_bookinfo_reviews_v3["reviews v3 (bookinfo)"]',
      '    end',
      '  end',
      '  subgraph cluster_iks["iks: remote, network network1"]',
      '    apiserver_iks["API server"]',
      '  end',
      '  istiod_east_1 -->|"istio-remote-secret-west-2"| apiserver_west_2',
      '  istiod_east_1 -->|"istio-remote-secret-iks"| apiserver_iks',
    ]);
  });

  it('explains where traffic stays and what a lost zone, region or control plane does', () => {
    const readme = renderReadme(MESH, MANIFESTS);
    const section = readme.slice(readme.indexOf('## Locality'), readme.indexOf('## Topology'));
    expect(section).toContain("pod label `istio-locality`: `east-1` (`us-east1/us-east1-b`), `west-2` (`us-west1`).");
    expect(section).toContain("goes to endpoints in the caller's own subzone and zone while they are healthy, then to its region, then to any other region.");
    expect(section).toContain('an endpoint is ejected after 5 consecutive 5xx answers, for at least 30s (checked every 10s, up to 100% of the endpoints)');
    expect(section).toContain('- **The control-plane cluster `east-1`**: the mesh freezes.');
  });

  it('describes distribute weights and cluster-local services, and has no Locality section without localities', () => {
    const distributing = Mesh.fromSpec({
      ...SPEC,
      mesh: { locality: { mode: 'distribute', distribute: [{ from: 'us-east1/*', to: { 'us-east1/*': 90, 'us-west1/*': 10 } }], clusterLocal: { namespaces: ['tools'] } } },
    });
    const readme = renderReadme(distributing, MANIFESTS);
    expect(readme).toContain('  - from `us-east1/*`: 90% to `us-east1/*`, 10% to `us-west1/*`');
    expect(readme).toContain('- Cluster-local (MeshConfig `serviceSettings`): `*.tools.svc.cluster.local`.');
    expect(readme).toContain('- **A zone, a cluster or a region**: requests sent to its endpoints fail until those endpoints leave the service (no failover by locality in this mode).');
    const flat = Mesh.fromSpec({ clusters: SPEC.clusters.map(({ region: _region, zone: _zone, ...cluster }) => cluster) });
    expect(renderReadme(flat, MANIFESTS)).not.toContain('## Locality');
  });

  it('links only the clusters the control-plane manifests hold a remote secret for', () => {
    // GIVEN control-plane manifests with a remote secret for west-2 only, and an unlabelled Secret for iks
    const unlabelled: Manifest = { ...remoteSecret('iks', 'abc'), metadata: { name: 'not-remote', namespace: 'istio-system' } };
    const mermaid = block(renderReadme(MESH, manifestsOf({ 'east-1': [], 'west-2': [], 'iks': [] }, [remoteSecret('west-2', 'abc'), unlabelled])), '```mermaid');
    // THEN iks, although a remote of the model, has no link
    expect(mermaid.filter((line) => line.includes('-->'))).toEqual(['  istiod_east_1 -->|"istio-remote-secret-west-2"| apiserver_west_2']);
  });

  it('keeps node ids Mermaid-safe and distinct when names sanitize alike', () => {
    // GIVEN clusters "a" and "a-b" whose workloads would both sanitize to workload_a_b_c_d (a network
    // with quotes or brackets, which Mermaid would need escaped, is no label value and no webhook path segment: the model refuses it)
    const mesh = Mesh.fromSpec({
      mesh: { network: 'net-x.y' },
      clusters: [
        { name: 'a', url: 'https://a.example.com', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
        { name: 'a-b', url: 'https://ab.example.com' },
      ],
    });
    const inNamespace = (manifest: Manifest, ns: string): Manifest => ({ ...manifest, metadata: { ...manifest.metadata, namespace: ns } });
    const manifests = manifestsOf({ 'a': [inNamespace(deployment('d', { app: 'd', version: 'v1' }), 'b-c')], 'a-b': [inNamespace(deployment('d', { app: 'd', version: 'v1' }), 'c')] }, [], 'a');
    const mermaid = block(renderReadme(mesh, manifests), '```mermaid');
    // THEN ids hold only letters, digits and _, and each node has its own
    const nodeIds = mermaid.flatMap((line) => /^\s+(?:subgraph )?(\w+)\[/.exec(line)?.[1] ?? []);
    expect(nodeIds).toEqual(['cluster_a', 'apiserver_a', 'istiod_a', 'workload_a_b_c_d', 'cluster_a_b', 'apiserver_a_b', 'workload_a_b_c_d_2']);
    expect(mermaid[1]).toBe('  subgraph cluster_a["a: control plane, network net-x.y"]');
  });

  it('gives the same bytes for the same objects in any order', () => {
    const reversed = manifestsOf(
      Object.fromEntries([...MANIFESTS.clusters].map(([cluster, objects]) => [cluster, [...objects].reverse()])),
      [...MANIFESTS.controlPlane].reverse(),
    );
    expect(renderReadme(MESH, reversed)).toBe(renderReadme(MESH, MANIFESTS));
  });

  it('describes the GitOps files only when asked', () => {
    expect(renderReadme(MESH, MANIFESTS)).not.toContain('## GitOps');
    expect(renderReadme(MESH, MANIFESTS, { gitops: undefined })).not.toContain('## GitOps');
    // GIVEN Argo CD THEN users learn that names must match and which health check the waves need
    const argo = renderReadme(MESH, MANIFESTS, { gitops: 'argocd' });
    expect(argo).toContain('## GitOps with Argo CD');
    expect(argo).toContain('`argocd cluster add <kube-context> --name east-1`');
    expect(argo).toContain('`resource.customizations.health.argoproj.io_Application`');
    expect(argo).toContain('**The Argo CD cluster names must equal the mesh cluster names** (`east-1`, `west-2`, `iks`)');
    // GIVEN Flux THEN users learn the kubeconfig Secrets to create
    const flux = renderReadme(MESH, MANIFESTS, { gitops: 'flux' });
    expect(flux).toContain('create `east-1-kubeconfig`, `west-2-kubeconfig`, `iks-kubeconfig`');
    expect(flux).not.toContain('`istio-remote-tokens` beside it');
  });

  it('names the Flux token variables and their Secret with the flux-substitution credentials', () => {
    // GIVEN a mesh whose remote-secret tokens are Flux placeholders
    const mesh = Mesh.fromSpec({ ...SPEC, mesh: { credentials: { source: 'flux-substitution' } } });
    // THEN the Flux section says which Secret and keys to create
    expect(renderReadme(mesh, MANIFESTS, { gitops: 'flux' })).toContain(
      "- `mesh1-control-plane` fills the remote secrets' placeholders from the Secret `istio-remote-tokens` beside it, one key per variable: `ISTIO_REMOTE_TOKEN_WEST_2` and `ISTIO_REMOTE_CA_WEST_2` (west-2), `ISTIO_REMOTE_TOKEN_IKS` and `ISTIO_REMOTE_CA_IKS` (iks)",
    );
    // AND Argo CD, which cannot fill them, is refused
    expect(() => renderReadme(mesh, MANIFESTS, { gitops: 'argocd' })).toThrow('GitOps tool "argocd" cannot fill the ${VAR} token placeholders');
  });

  it('matches the snapshot', () => {
    expect(renderReadme(MESH, MANIFESTS, { gitops: 'argocd' })).toMatchSnapshot();
  });

  it('states what a first GitOps install does in the phase order, with the token publishing before the phase that reads the tokens', () => {
    // GIVEN each tool and credential source it takes
    const fluxMesh = Mesh.fromSpec({ ...SPEC, mesh: { credentials: { source: 'flux-substitution' } } });
    const cases = [
      ['argocd', renderReadme(MESH, MANIFESTS, { gitops: 'argocd' })],
      ['flux', renderReadme(MESH, MANIFESTS, { gitops: 'flux' })],
      ['flux-substitution', renderReadme(fluxMesh, MANIFESTS, { gitops: 'flux' })],
    ] as const;
    for (const [name, readme] of cases) {
      const firstInstall = readme.slice(readme.indexOf('What a first'));
      // THEN the steps follow the phases, and publishing comes right before control-plane/
      const order = ['mesh1-cluster-east-1', 'mesh1-cluster-west-2-mesh', 'Publish the reader tokens', '`mesh1-control-plane`', '`mesh1-cluster-west-2` on'].map((text) => firstInstall.indexOf(text));
      expect(order.every((position) => position >= 0), name).toBe(true);
      expect([...order].sort((a, b) => a - b), name).toEqual(order);
      expect(firstInstall, name).toMatchSnapshot(`first install, ${name}`);
    }
    // AND the publishing command fits the credential source
    expect(cases[2][1]).toContain('`cdk8s-istio-multicluster tokens --inventory <inventory.yaml> | kubectl --context <management> apply -f -` creates the Secret `istio-remote-tokens`');
    expect(cases[1][1]).toContain('`cdk8s-istio-multicluster tokens --inventory <inventory.yaml>` prints the store entries as JSON; write them to the store behind the ClusterSecretStore `istio-remote-tokens`');
  });

  it('says how a reader token is rotated with each credential source, and why the mounted kubeconfig directory is not used', () => {
    const withTokens = { ...SPEC, clusters: SPEC.clusters.map((cluster) => (cluster.istio_control_plane ? cluster : { ...cluster, token: `${cluster.name}-reader-token` })) };
    const readme = (source: 'external-secret' | 'flux-substitution' | 'inline') => renderReadme(Mesh.fromSpec({ ...withTokens, mesh: { credentials: { source } } }), MANIFESTS);
    expect(readme('external-secret')).toContain('external-secrets renders the remote secret again within its refresh interval (1h)');
    expect(readme('flux-substitution')).toContain('`flux reconcile kustomization mesh1-control-plane`');
    expect(readme('inline')).toContain('put the new token in the inventory (`clusters[].token`), synthesize again');
    expect(readme('inline')).toContain('`PILOT_MULTICLUSTER_KUBECONFIG_PATH`); this tool does not use it');
  });

  it('refuses manifests synthesized for another control plane', () => {
    expect(() => renderReadme(MESH, { ...MANIFESTS, controlPlaneCluster: 'west-2' })).toThrow(
      'The manifests apply control-plane/ to cluster "west-2", but the control plane of mesh "mesh1" is "east-1": synthesize the manifests from this mesh',
    );
  });

  it('refuses manifests whose cluster folders are not the mesh clusters', () => {
    expect(() => renderReadme(MESH, manifestsOf({ 'east-1': [], 'west-2': [] }, []))).toThrow(
      'The manifests have folders for clusters [east-1, west-2], but mesh "mesh1" has clusters [east-1, iks, west-2]: synthesize the manifests from this mesh',
    );
  });

  it('refuses an unknown GitOps tool', () => {
    expect(() => renderReadme(MESH, MANIFESTS, { gitops: 'jenkins' as 'flux' })).toThrow('GitOps tool "jenkins" is not supported: expected one of argocd, flux');
  });
});
