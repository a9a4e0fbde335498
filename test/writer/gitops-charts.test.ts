/**
 * Istio's charts as GitOps objects: Flux HelmReleases and Argo CD Applications with a Helm source,
 * read back from the output of the bundled meshes and checked against install/ (the same values,
 * release names, namespaces and chart version), the real helm and the Flux / Argo CD schemas.
 */
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { buildMesh } from '../../lib/synth/build-mesh';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { analyzerCatalogue } from '../../lib/analyzers/catalogue';
import { Mesh } from '../../lib/model/mesh';
import { deliveredChartReleases } from '../../lib/writer/chart-releases';
import { renderGitops, type GitopsOptions } from '../../lib/writer/gitops';
import { helmTemplate, objectKey, removeHelmValuesFiles, type ChartName } from '../support/helm';
import { expectValidManifests } from '../support/schema-validation';
import { HAS_UPSTREAM, ISTIO_CHART_REPOSITORY } from '../support/upstream';

const REPO = 'ssh://git@github.com/example/mesh-config.git';
const INVENTORIES = { openshift: 'apps/openshift/inventory.yaml', hybrid: 'apps/hybrid/inventory.yaml' } as const;

function specOf(file: string, credentials?: 'external-secret'): InventorySpec {
  const spec = load(readFileSync(file, 'utf8')) as InventorySpec;
  return credentials ? { ...spec, mesh: { ...spec.mesh, credentials: { source: credentials } } } : spec;
}

function treeOf(spec: InventorySpec, gitops?: GitopsOptions): ReadonlyMap<string, string> {
  const output = synthesizeOutput(buildMesh(Inventory.fromSpec(spec)), gitops ? { gitops } : {});
  expect(output.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  return output.tree;
}

type GitopsObject = Manifest & { spec: Record<string, any> };
const objectsUnder = (tree: ReadonlyMap<string, string>, folder: string): GitopsObject[] =>
  [...tree].filter(([path]) => path.startsWith(`${folder}/`) && !path.slice(folder.length + 1).includes('/') && !path.endsWith('kustomization.yaml')).map(([, content]) => load(content) as GitopsObject);

/** The `helm upgrade --install` lines of install/README.md: release, chart, namespace, cluster, values file, version. */
function readmeInstalls(tree: ReadonlyMap<string, string>): { release: string; chart: string; namespace: string; cluster: string; valuesFile?: string; version: string }[] {
  return [...tree.get('install/README.md')!.matchAll(/^helm upgrade --install (\S+) istio\/(\S+) -n (\S+)(?: --create-namespace)? --kube-context=(\S+)(?: -f (\S+))? --version (\S+)/gm)].map(
    ([, release, chart, namespace, cluster, valuesFile, version]) => ({ release, chart, namespace, cluster, ...(valuesFile ? { valuesFile } : {}), version }),
  );
}

const CHART_DIRS: Record<string, ChartName> = { base: 'base', istiod: 'istiod', cni: 'cni' };

afterAll(removeHelmValuesFiles);

describe.each([
  { mesh: 'openshift', spec: specOf(INVENTORIES.openshift) },
  { mesh: 'hybrid', spec: specOf(INVENTORIES.hybrid, 'external-secret') },
])('Istio charts as GitOps objects, $mesh mesh', ({ spec }) => {
  const flux = treeOf(spec, { tool: 'flux', repoUrl: REPO, repoSecret: 'mesh-config-git' });
  const argoCd = treeOf(spec, { tool: 'argocd', repoUrl: REPO });
  const installs = readmeInstalls(flux);
  const helmReleases = objectsUnder(flux, 'gitops/charts').filter((object) => object.kind === 'HelmRelease');
  const chartApplications = objectsUnder(argoCd, 'gitops/applications').filter((object) => object.spec.source.chart !== undefined);

  it('delivers every helm upgrade --install of install/README.md once, with its release name, namespace, cluster and version', () => {
    // GIVEN the README's commands WHEN the HelmReleases and Applications are read back THEN they are the same releases, in the same order
    expect(installs.length).toBeGreaterThanOrEqual(3);
    expect(helmReleases.map((r) => ({ release: r.spec.releaseName, chart: r.spec.chart.spec.chart, namespace: r.spec.targetNamespace, cluster: r.spec.kubeConfig.secretRef.name.replace(/-kubeconfig$/, ''), version: r.spec.chart.spec.version })))
      .toEqual(installs.map(({ valuesFile, ...install }) => install));
    expect(helmReleases.every((r) => r.spec.storageNamespace === r.spec.targetNamespace)).toBe(true);
    expect(chartApplications.map((a) => ({ release: a.spec.source.helm.releaseName, chart: a.spec.source.chart, namespace: a.spec.destination.namespace, cluster: a.spec.destination.name, version: a.spec.source.targetRevision })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
      .toEqual(installs.map(({ valuesFile, ...install }) => install).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    expect(new Set(chartApplications.map((a) => a.spec.source.repoURL))).toEqual(new Set([ISTIO_CHART_REPOSITORY]));
  });

  it('carries the values of install/<cluster>/<chart>-values.yaml, equal after parsing, and none where the README passes no -f', () => {
    for (const install of installs) {
      const release = helmReleases.find((r) => r.spec.releaseName === install.release && r.spec.kubeConfig.secretRef.name === `${install.cluster}-kubeconfig`)!;
      const application = chartApplications.find((a) => a.spec.source.helm.releaseName === install.release && a.spec.destination.name === install.cluster)!;
      const expected = install.valuesFile ? load(flux.get(install.valuesFile)!) : undefined;
      expect(release.spec.values, `${install.cluster} ${install.chart}`).toEqual(expected);
      expect(application.spec.source.helm.valuesObject, `${install.cluster} ${install.chart}`).toEqual(expected);
    }
  });

  it.skipIf(!HAS_UPSTREAM)('renders each HelmRelease\'s and Application\'s values with the real helm against the pinned chart exactly as the install/ values file', () => {
    for (const install of installs) {
      const release = helmReleases.find((r) => r.spec.releaseName === install.release && r.spec.kubeConfig.secretRef.name === `${install.cluster}-kubeconfig`)!;
      const application = chartApplications.find((a) => a.spec.source.helm.releaseName === install.release && a.spec.destination.name === install.cluster)!;
      const render = (values: unknown) => helmTemplate({ istioRelease: install.version, chart: CHART_DIRS[install.chart], namespace: install.namespace, values: values ?? {} });
      const fromFile = render(install.valuesFile ? load(flux.get(install.valuesFile)!) : {});
      // THEN helm renders objects (the chart accepts the values) and the same objects from all three
      expect(fromFile.length, install.chart).toBeGreaterThan(0);
      expect(render(release.spec.values).map((o) => objectKey(o, install.namespace))).toEqual(fromFile.map((o) => objectKey(o, install.namespace)));
      expect(render(release.spec.values)).toEqual(fromFile);
      expect(render(application.spec.source.helm.valuesObject)).toEqual(fromFile);
    }
  });

  it('emits Flux objects valid against helm.toolkit.fluxcd.io/v2, source.toolkit.fluxcd.io/v1 and kustomize.toolkit.fluxcd.io/v1', () => {
    const all = [...objectsUnder(flux, 'gitops'), ...objectsUnder(flux, 'gitops/charts')];
    expect(new Set(all.map((o) => `${o.apiVersion}/${o.kind}`))).toEqual(new Set([
      'source.toolkit.fluxcd.io/v1/GitRepository', 'kustomize.toolkit.fluxcd.io/v1/Kustomization', 'source.toolkit.fluxcd.io/v1/HelmRepository', 'helm.toolkit.fluxcd.io/v2/HelmRelease',
    ]));
    expectValidManifests(all);
  });

  it('emits Argo CD Applications valid against the Argo CD schema', () => {
    // (gitops/ also holds the argocd-cm merge patches, which are no objects)
    const applications = [...objectsUnder(argoCd, 'gitops'), ...objectsUnder(argoCd, 'gitops/applications')].filter((o) => o.kind === 'Application');
    expect(applications.length).toBeGreaterThan(chartApplications.length);
    expectValidManifests(applications);
  });

  it('installs with Flux: base creates istio-system, CRDs policies set, each release after the one before on its cluster, and the first phases wait for the charts Kustomization', () => {
    for (const release of helmReleases) {
      expect(release.spec.install.crds, release.metadata.name).toBe('CreateReplace');
      expect(release.spec.upgrade.crds, release.metadata.name).toBe('CreateReplace');
      expect(release.spec.install.createNamespace === true, release.metadata.name).toBe(release.spec.chart.spec.chart === 'base');
      expect(release.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: `${spec.mesh?.id ?? 'mesh1'}-istio-charts` });
    }
    const kustomizations = objectsUnder(flux, 'gitops').filter((o) => o.kind === 'Kustomization');
    const charts = kustomizations.find((k) => k.spec.kubeConfig === undefined)!;
    expect(charts.spec).toMatchObject({ path: './dist/gitops/charts', wait: true });
    const first = kustomizations.filter((k) => k !== charts && k.spec.dependsOn?.some((d: { name: string }) => kustomizations.some((other) => other !== charts && other.metadata.name === d.name)) !== true);
    expect(first.length).toBeGreaterThan(0);
    for (const k of first) expect(k.spec.dependsOn, k.metadata.name).toEqual([{ name: charts.metadata.name }]);
  });

  it('names the private repository\'s credentials Secret in the Flux GitRepository', () => {
    const source = objectsUnder(flux, 'gitops').find((o) => o.kind === 'GitRepository')!;
    expect(source.spec.secretRef).toEqual({ name: 'mesh-config-git' });
  });

  it('syncs with Argo CD: the chart waves before every phase, base server-side with its namespace, istiod\'s webhook writes ignored', () => {
    const applications = objectsUnder(argoCd, 'gitops/applications');
    const wave = (a: Manifest) => Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    const lastChartWave = Math.max(...chartApplications.map(wave));
    for (const phase of applications.filter((a) => a.spec.source.chart === undefined)) {
      expect(wave(phase), phase.metadata.name).toBeGreaterThan(lastChartWave);
      expect(phase.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'RespectIgnoreDifferences=true', 'PruneLast=true']);
    }
    const controlPlane = spec.clusters.find((cluster) => cluster.istio_control_plane)!.name;
    for (const application of chartApplications) {
      const base = application.spec.source.chart === 'base';
      expect(application.spec.syncPolicy.syncOptions, application.metadata.name).toEqual([...(base ? ['CreateNamespace=true', 'ServerSideApply=true'] : []), 'RespectIgnoreDifferences=true', 'PruneLast=true']);
      const ignored = (application.spec.ignoreDifferences ?? []).map((d: { kind: string; jqPathExpressions: string[] }) => `${d.kind}:${d.jqPathExpressions.join(',')}`);
      const onControlPlane = application.spec.destination.name === controlPlane;
      const expected = {
        base: onControlPlane ? ['ValidatingWebhookConfiguration:.webhooks[]?.clientConfig.caBundle,.webhooks[]?.failurePolicy'] : [],
        istiod: ['MutatingWebhookConfiguration:.webhooks[]?.clientConfig.caBundle', 'ValidatingWebhookConfiguration:.webhooks[]?.clientConfig.caBundle,.webhooks[]?.failurePolicy'],
        cni: [],
      }[application.spec.source.chart as 'base' | 'istiod' | 'cni'];
      expect(ignored, application.metadata.name).toEqual(expected);
    }
  });

  it('ends each phase of the README with the commands that show it worked, and maps symptoms to analyzer codes', () => {
    for (const [tree, status] of [[flux, 'wait kustomization/'], [argoCd, 'argocd app wait ']] as const) {
      const readme = tree.get('README.md')!;
      expect(readme).toContain('## Checking each phase');
      expect(readme).toContain(status);
      expect(readme).toMatch(/istioctl --context \S+ remote-clusters {3}# NAME SECRET STATUS ISTIOD/);
      expect(readme).toContain('--dry-run=server');
      // AND Bookinfo's cross-cluster call is checked by the reviews-v3 pods that answer
      expect(readme).toContain('### Bookinfo across clusters');
      expect(readme).toContain(`grep -o '"podname": "reviews-v3-[^"]*"'`);
      expect(readme).toContain('## Troubleshooting');
      expect(readme).toMatch(/\| MCL0006 \|/);
      // AND every code the troubleshooting table names is one the analyzers have
      const table = readme.slice(readme.indexOf('## Troubleshooting'));
      const codes = [...table.matchAll(/MCL\d{4}/g)].map(([code]) => code);
      expect(codes.length).toBeGreaterThan(5);
      const catalogue = analyzerCatalogue();
      expect(codes.filter((code) => !catalogue.has(code))).toEqual([]);
    }
  });
});

describe('Istio charts as GitOps objects, what stays as it was', () => {
  it('GIVEN --gitops none THEN the output is the same with or without the GitOps code path: no gitops/, no chart objects, README without the GitOps sections', () => {
    const tree = treeOf(specOf(INVENTORIES.openshift));
    expect([...tree.keys()].filter((path) => path.startsWith('gitops/'))).toEqual([]);
    expect(tree.get('README.md')).not.toContain('## Checking each phase');
  });

  it('GIVEN the Sail installer THEN no chart is delivered and the README says where Istio comes from', () => {
    const tree = treeOf(specOf('apps/openshift/inventory-sail.yaml'), { tool: 'flux', repoUrl: REPO });
    expect([...tree.keys()].filter((path) => path.startsWith('gitops/charts/'))).toEqual([]);
    expect(tree.get('README.md')).toContain('Istio itself comes from the Sail operator');
  });
});

describe('the credentials Secret of a private repository', () => {
  const mesh = buildMesh(Inventory.fromSpec(specOf(INVENTORIES.hybrid))).model;
  const manifests = { clusters: new Map(), controlPlane: [], controlPlaneCluster: mesh.controlPlane.name };

  it.each([
    ['Git_Creds', 'GitOps repoSecret "Git_Creds" is not a Secret name: expected a DNS-1123 subdomain'],
    ['', 'GitOps repoSecret "" is not a Secret name'],
    ['-creds', 'GitOps repoSecret "-creds" is not a Secret name'],
  ])('refuses %j for Flux, naming the value and what is expected', (repoSecret, message) => {
    expect(() => renderGitops(mesh, { tool: 'flux', repoUrl: REPO, repoSecret }, manifests)).toThrow(message);
  });

  it('refuses it for Argo CD, which keeps repository credentials itself', () => {
    const external = buildMesh(Inventory.fromSpec(specOf(INVENTORIES.hybrid, 'external-secret'))).model;
    expect(() => renderGitops(external, { tool: 'argocd', repoUrl: REPO, repoSecret: 'creds' }, { ...manifests, controlPlaneCluster: external.controlPlane.name }))
      .toThrow('GitOps repoSecret does not apply to Argo CD, which reads repository credentials from its own Secrets');
  });
});

describe('chart release checks', () => {
  const mesh = Mesh.fromSpec({ clusters: [
    { name: 'east-1', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
    { name: 'west-2', url: 'https://api.west.example.com:6443' },
  ] });

  it('GIVEN the output lacks a values file a release reads THEN the GitOps objects are not written, naming the file', () => {
    expect(() => deliveredChartReleases(mesh, { chartVersion: '1.30.3', files: new Map() })).toThrow(
      'The Helm values file install/east-1/istiod-values.yaml is missing from the output: the GitOps release of istio/istiod on cluster east-1 reads its values from it',
    );
  });

  it('GIVEN a cluster name whose phases fit 63 characters but whose chart releases do not THEN each release name is refused', () => {
    const long = 'c'.repeat(45);
    const tight = Mesh.fromSpec({ mesh: { id: 'mesh1' }, clusters: [{ name: long, url: 'https://api.example.com:6443', istio_control_plane: true }] });
    const files = new Map([[`install/${long}/istiod-values.yaml`, 'global: {}\n']]);
    expect(() => renderGitops(tight, { tool: 'flux', repoUrl: REPO }, { clusters: new Map(), controlPlane: [], controlPlaneCluster: long }, { chartVersion: '1.30.3', files })).toThrow(
      `GitOps object names over 63 characters, which Flux and Argo CD write as label values: "mesh1-istio-${long}-istio-base" (68 characters, from mesh.id and clusters[0].name), "mesh1-istio-${long}-istiod" (64 characters`,
    );
  });
});
