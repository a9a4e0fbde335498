import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import type { MeshManifests } from '../../lib/manifest/mesh-manifests';
import { renderGitops, type GitopsOptions } from '../../lib/writer/gitops';
import { expectValidManifests } from '../support/schema-validation';

const SPEC: MeshSpec = {
  clusters: [
    { name: 'east-1', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
    { name: 'west-2', url: 'https://api.west.example.com:6443' },
    { name: 'iks', url: 'https://iks.example.com:30426' },
  ],
};
const MESH = Mesh.fromSpec(SPEC);
const FLUX_SUBSTITUTION_MESH = Mesh.fromSpec({ ...SPEC, mesh: { id: 'hybrid', credentials: { source: 'flux-substitution' } } });
const REPO = 'https://github.com/example/mesh-config.git';

// Only what the assertions read; the schema tests check the whole objects.
interface GitopsObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, any>;
}

/** The rendered objects by `Kind/name`, without the kustomizations. */
function objectsOf(files: Map<string, string>): Map<string, GitopsObject> {
  const objects = [...files].filter(([path]) => !path.endsWith('kustomization.yaml')).map(([, content]) => load(content) as GitopsObject);
  return new Map(objects.map((object) => [`${object.kind}/${object.metadata.name}`, object]));
}

/** The phases are derived from the model; the objects of the folders matter only to Argo CD's exclusions, tested apart. */
const noObjects = (mesh: Mesh): MeshManifests => ({ clusters: new Map(), controlPlane: [], controlPlaneCluster: mesh.controlPlane.name });
const argoCd = (options: Partial<GitopsOptions> = {}, mesh = MESH) => renderGitops(mesh, { tool: 'argocd', repoUrl: REPO, ...options }, noObjects(mesh));
const flux = (options: Partial<GitopsOptions> = {}, mesh = MESH) => renderGitops(mesh, { tool: 'flux', repoUrl: REPO, ...options }, noObjects(mesh));

describe('renderGitops for Argo CD', () => {
  it('writes a root Application, an Application per phase under applications/ and a kustomization per partial phase', () => {
    const files = argoCd();
    expect([...files.keys()]).toEqual([
      'application.argoproj.io_argocd_mesh1.yaml',
      'applications/application.argoproj.io_argocd_mesh1-cluster-east-1.yaml',
      'applications/application.argoproj.io_argocd_mesh1-cluster-iks-mesh.yaml',
      'applications/application.argoproj.io_argocd_mesh1-cluster-iks.yaml',
      'applications/application.argoproj.io_argocd_mesh1-cluster-west-2-mesh.yaml',
      'applications/application.argoproj.io_argocd_mesh1-cluster-west-2.yaml',
      'applications/application.argoproj.io_argocd_mesh1-control-plane.yaml',
      'applications/kustomization.yaml',
      'kustomization.yaml',
      'phases/mesh1-cluster-iks-mesh/kustomization.yaml',
      'phases/mesh1-cluster-iks/kustomization.yaml',
      'phases/mesh1-cluster-west-2-mesh/kustomization.yaml',
      'phases/mesh1-cluster-west-2/kustomization.yaml',
    ]);
    // THEN `kubectl apply -k gitops` installs the root Application only
    expect(load(files.get('kustomization.yaml')!)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['application.argoproj.io_argocd_mesh1.yaml'] });
  });

  it('syncs applications/ from the root Application to where Argo CD runs', () => {
    const root = objectsOf(argoCd()).get('Application/mesh1')!;
    expect(root.metadata.namespace).toBe('argocd');
    expect(root.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/gitops/applications' });
    expect(root.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
    expect(root.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  it('orders the phases with sync waves: control-plane cluster and remote mesh components, control-plane/, remote workloads', () => {
    const objects = objectsOf(argoCd());
    const wave = (name: string) => objects.get(`Application/${name}`)!.metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(['mesh1-cluster-east-1', 'mesh1-cluster-west-2-mesh', 'mesh1-cluster-iks-mesh', 'mesh1-control-plane', 'mesh1-cluster-west-2', 'mesh1-cluster-iks'].map(wave)).toEqual(['0', '0', '0', '1', '2', '2']);
  });

  it('syncs each phase to its cluster, a remote\'s parts through their phase kustomizations', () => {
    const objects = objectsOf(argoCd());
    const spec = (name: string) => objects.get(`Application/${name}`)!.spec;
    expect(spec('mesh1-cluster-east-1').source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/clusters/east-1' });
    expect(spec('mesh1-cluster-east-1').destination).toEqual({ name: 'east-1' });
    expect(spec('mesh1-control-plane').source.path).toBe('dist/control-plane');
    expect(spec('mesh1-control-plane').destination).toEqual({ name: 'east-1' });
    expect(spec('mesh1-cluster-iks-mesh').source.path).toBe('dist/gitops/phases/mesh1-cluster-iks-mesh');
    expect(spec('mesh1-cluster-iks').source.path).toBe('dist/gitops/phases/mesh1-cluster-iks');
    expect(spec('mesh1-cluster-iks').destination).toEqual({ name: 'iks' });
    expect(spec('mesh1-cluster-iks').syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'RespectIgnoreDifferences=true', 'PruneLast=true']);
    expect(spec('mesh1-cluster-iks').syncPolicy.retry.limit).toBeGreaterThan(0);
    // AND self-heal leaves the CA bundle istiod writes into the injection webhooks alone
    expect(spec('mesh1-cluster-iks-mesh').ignoreDifferences).toEqual([
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
    ]);
  });

  it('builds a remote\'s folder in its phase kustomizations and drops the other phase\'s objects by label', () => {
    const files = argoCd();
    expect(load(files.get('phases/mesh1-cluster-iks-mesh/kustomization.yaml')!)).toMatchObject({
      resources: ['../../../clusters/iks'],
      patches: [{ target: { labelSelector: 'app.kubernetes.io/part-of!=istio' } }],
    });
    expect(load(files.get('phases/mesh1-cluster-iks/kustomization.yaml')!)).toMatchObject({
      resources: ['../../../clusters/iks'],
      patches: [{ target: { labelSelector: 'app.kubernetes.io/part-of=istio' } }],
    });
  });

  it('uses the revision, base path and namespace given', () => {
    // GIVEN a base path written with ./ and a trailing slash
    const objects = objectsOf(argoCd({ revision: 'v1.2.0', basePath: './deploy/mesh/', namespace: 'gitops' }));
    const application = objects.get('Application/mesh1-control-plane')!;
    // THEN paths are normalized and the options are used
    expect(application.metadata.namespace).toBe('gitops');
    expect(application.spec.source).toEqual({ repoURL: REPO, targetRevision: 'v1.2.0', path: 'deploy/mesh/control-plane' });
    expect(objects.get('Application/mesh1')!.spec.source.path).toBe('deploy/mesh/gitops/applications');
    expect(objects.get('Application/mesh1-cluster-iks')!.spec.source.path).toBe('deploy/mesh/gitops/phases/mesh1-cluster-iks');
  });

  it('points at the repository root when the base path is .', () => {
    expect(objectsOf(argoCd({ basePath: '.' })).get('Application/mesh1-control-plane')!.spec.source.path).toBe('control-plane');
  });

  it('emits objects valid against the Argo CD schemas', () => {
    expectValidManifests([...objectsOf(argoCd()).values()]);
  });

  it('matches the snapshots', () => {
    for (const [path, content] of argoCd()) expect(content).toMatchSnapshot(path);
  });
});

describe('renderGitops for Flux', () => {
  it('writes a GitRepository and one Kustomization per phase', () => {
    expect([...flux().keys()]).toEqual([
      'gitrepository.source.toolkit.fluxcd.io_flux-system_mesh1.yaml',
      'kustomization.kustomize.toolkit.fluxcd.io_flux-system_mesh1-cluster-east-1.yaml',
      'kustomization.kustomize.toolkit.fluxcd.io_flux-system_mesh1-cluster-iks-mesh.yaml',
      'kustomization.kustomize.toolkit.fluxcd.io_flux-system_mesh1-cluster-iks.yaml',
      'kustomization.kustomize.toolkit.fluxcd.io_flux-system_mesh1-cluster-west-2-mesh.yaml',
      'kustomization.kustomize.toolkit.fluxcd.io_flux-system_mesh1-cluster-west-2.yaml',
      'kustomization.kustomize.toolkit.fluxcd.io_flux-system_mesh1-control-plane.yaml',
      'kustomization.yaml',
      'phases/mesh1-cluster-iks-mesh/kustomization.yaml',
      'phases/mesh1-cluster-iks/kustomization.yaml',
      'phases/mesh1-cluster-west-2-mesh/kustomization.yaml',
      'phases/mesh1-cluster-west-2/kustomization.yaml',
    ]);
    const source = objectsOf(flux({ revision: 'release' })).get('GitRepository/mesh1')!;
    expect(source.spec).toEqual({ interval: '5m', url: REPO, ref: { branch: 'release' } });
  });

  it('applies each phase to its cluster through that cluster\'s kubeconfig Secret, in the phase order', () => {
    const objects = objectsOf(flux());
    const kustomization = (name: string) => objects.get(`Kustomization/${name}`)!.spec;
    // THEN each Kustomization names its folder and its cluster's kubeconfig Secret, and waits for its objects
    expect(kustomization('mesh1-cluster-east-1')).toMatchObject({ path: './dist/clusters/east-1', prune: true, wait: true, sourceRef: { kind: 'GitRepository', name: 'mesh1' }, kubeConfig: { secretRef: { name: 'east-1-kubeconfig' } } });
    expect(kustomization('mesh1-control-plane')).toMatchObject({ path: './dist/control-plane', kubeConfig: { secretRef: { name: 'east-1-kubeconfig' } } });
    expect(kustomization('mesh1-cluster-west-2-mesh')).toMatchObject({ path: './dist/gitops/phases/mesh1-cluster-west-2-mesh', kubeConfig: { secretRef: { name: 'west-2-kubeconfig' } } });
    expect(kustomization('mesh1-cluster-west-2')).toMatchObject({ path: './dist/gitops/phases/mesh1-cluster-west-2', kubeConfig: { secretRef: { name: 'west-2-kubeconfig' } } });
    // AND the control-plane cluster and the remotes' mesh components come first, then control-plane/, then the remotes' workloads
    expect(kustomization('mesh1-cluster-east-1').dependsOn).toBeUndefined();
    expect(kustomization('mesh1-cluster-iks-mesh').dependsOn).toBeUndefined();
    expect(kustomization('mesh1-control-plane').dependsOn).toEqual([{ name: 'mesh1-cluster-east-1' }, { name: 'mesh1-cluster-west-2-mesh' }, { name: 'mesh1-cluster-iks-mesh' }]);
    expect(kustomization('mesh1-cluster-west-2').dependsOn).toEqual([{ name: 'mesh1-control-plane' }]);
    expect(kustomization('mesh1-cluster-iks').dependsOn).toEqual([{ name: 'mesh1-control-plane' }]);
  });

  it('substitutes the token variables into control-plane/ only with the flux-substitution credentials', () => {
    // GIVEN the default external-secret credentials THEN nothing is substituted
    expect([...objectsOf(flux()).values()].filter((object) => object.spec.postBuild !== undefined)).toEqual([]);
    // GIVEN flux-substitution THEN only the control-plane Kustomization substitutes, from the tokens Secret
    const objects = objectsOf(flux({}, FLUX_SUBSTITUTION_MESH));
    const substituting = [...objects.values()].filter((object) => object.spec.postBuild !== undefined);
    expect(substituting.map((object) => object.metadata.name)).toEqual(['hybrid-control-plane']);
    expect(substituting[0].spec.postBuild).toEqual({ substituteFrom: [{ kind: 'Secret', name: 'istio-remote-tokens' }] });
  });

  it('emits objects valid against the Flux schemas', () => {
    expectValidManifests([...objectsOf(flux({}, FLUX_SUBSTITUTION_MESH)).values()]);
  });

  it('matches the snapshots', () => {
    for (const [path, content] of flux({}, FLUX_SUBSTITUTION_MESH)) expect(content).toMatchSnapshot(path);
  });
});

describe('renderGitops option checks', () => {
  it.each([
    ['an empty repoUrl', { repoUrl: '' }, 'GitOps repoUrl "" is invalid: expected the URL of the Git repository the output is committed to, e.g. https://github.com/example/mesh-config.git'],
    ['a repoUrl with spaces', { repoUrl: 'https://x y' }, 'GitOps repoUrl "https://x y" is invalid: expected the URL of the Git repository the output is committed to, e.g. https://github.com/example/mesh-config.git'],
    ['an empty revision', { revision: '' }, 'GitOps revision "" is invalid: expected a branch name (Argo CD also takes a tag or commit), e.g. main'],
    ['an absolute basePath', { basePath: '/dist' }, 'GitOps basePath "/dist" is invalid: expected the output folder\'s path relative to the repository root, e.g. dist (no leading /, no .., . for the root)'],
    ['the filesystem root as basePath', { basePath: '/' }, 'GitOps basePath "/" is invalid'],
    ['a basePath leaving the repository', { basePath: '../dist' }, 'GitOps basePath "../dist" is invalid'],
    ['a basePath with an empty segment', { basePath: 'a//b' }, 'GitOps basePath "a//b" is invalid'],
    ['a namespace that is no DNS label', { namespace: 'Argo_CD' }, 'GitOps namespace "Argo_CD" is not a DNS-1123 label'],
    ['an unknown tool', { tool: 'jenkins' as 'flux' }, 'GitOps tool "jenkins" is not supported: expected one of argocd, flux'],
  ])('refuses %s', (_, options, message) => {
    expect(() => argoCd(options)).toThrow(message);
  });

  it.each(['git@github.com:example/mesh-config.git', 'ssh://git@github.com/example/mesh-config.git', 'git://git.example.com/mesh.git', 'https://git.example.com:8443/mesh.git'])(
    'GIVEN the repository URL %s, which Git clones WHEN rendered for Argo CD THEN it is written as given',
    (repoUrl) => {
      expect(argoCd({ repoUrl }).size).toBeGreaterThan(0);
    },
  );

  it.each([
    ['https:///mesh.git', 'GitOps repoUrl "https:///mesh.git" has no host'],
    ['https://git.example.com:x/mesh.git', 'GitOps repoUrl "https://git.example.com:x/mesh.git" is no URL a Git client can parse (a bad port or host?)'],
    ['ssh://git@github.com:example/mesh.git', 'GitOps repoUrl "ssh://***@github.com:example/mesh.git" mixes the two SSH forms'],
    ['git@bad_host:example/mesh.git', 'GitOps repoUrl "***@bad_host:example/mesh.git" is invalid: "bad_host" is no host name'],
  ])('GIVEN the repository URL %s, which no Git client parses WHEN rendered THEN it is refused', (repoUrl, message) => {
    expect(() => argoCd({ repoUrl })).toThrow(message);
  });

  it('refuses a repository URL Flux cannot clone', () => {
    expect(() => flux({ repoUrl: 'git@github.com:example/mesh-config.git' })).toThrow(
      'GitOps repoUrl "***@github.com:example/mesh-config.git" is invalid for Flux: expected an http://, https:// or ssh:// URL, e.g. ssh://git@github.com/example/mesh-config.git',
    );
  });

  it('refuses Argo CD for a mesh whose tokens are Flux placeholders', () => {
    expect(() => argoCd({}, FLUX_SUBSTITUTION_MESH)).toThrow(
      'GitOps tool "argocd" cannot fill the ${VAR} token placeholders of credentials source "flux-substitution": use the tool flux, or the credentials source external-secret',
    );
  });

  it('never gets a mesh id that cannot name Kubernetes objects: the model refuses it', () => {
    expect(() => Mesh.fromSpec({ ...SPEC, mesh: { id: 'Mesh 1' } })).toThrow('mesh.id: "Mesh 1" is not a DNS-1123 label');
  });

  it.each([
    ['a token as user and password', 'https://x-access-token:SECRET-TOKEN@github.com/example/mesh.git', 'https://***@github.com/example/mesh.git'],
    ['a token as user name', 'https://SECRET-TOKEN@github.com/example/mesh.git', 'https://***@github.com/example/mesh.git'],
    ['an SSH password', 'ssh://git:SECRET-TOKEN@github.com/example/mesh.git', 'ssh://***@github.com/example/mesh.git'],
  ])('refuses a repoUrl carrying %s, without repeating it', (_, repoUrl, shown) => {
    for (const render of [argoCd, flux]) {
      expect(() => render({ repoUrl })).toThrow(
        `GitOps repoUrl "${shown}" carries credentials (user info before @); they would be written into the GitOps objects: give the URL without them and the credentials to Argo CD or Flux as a repository Secret`,
      );
    }
  });

  it('accepts the SSH user name git@, which is no credential', () => {
    expect(flux({ repoUrl: 'ssh://git@github.com/example/mesh-config.git' }).size).toBeGreaterThan(0);
  });

  it('names every cluster whose Application / Kustomization name would exceed 63 characters', () => {
    // GIVEN a mesh id and a cluster name that fit alone but not joined
    const long = 'c'.repeat(50);
    const mesh = Mesh.fromSpec({ mesh: { id: 'mesh-with-a-long-id' }, clusters: [{ ...SPEC.clusters[0], name: long }] });
    expect(() => flux({}, mesh)).toThrow(
      `GitOps object names over 63 characters, which Flux and Argo CD write as label values: "mesh-with-a-long-id-cluster-${long}" (78 characters, from mesh.id and clusters[0].name); shorten the mesh id or the cluster names`,
    );
  });
});
