/**
 * The GitOps output of the bundled meshes converges from empty clusters: a graph built from the
 * emitted objects alone (Flux dependsOn / substituteFrom, Argo CD sync waves, what each
 * delivery's path builds) has no cycle, and every consumer comes after its producer.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeOutput } from '../../lib/synth/synth-output';

const INVENTORIES = { openshift: 'apps/openshift/inventory.yaml', hybrid: 'apps/hybrid/inventory.yaml' } as const;
const BASE_PATH = 'dist';

/** One Flux Kustomization or Argo CD Application, as read back from `gitops/`. */
interface Delivery {
  readonly name: string;
  readonly cluster: string;
  readonly objects: readonly Manifest[];
  /** Flux: the Secrets it substitutes from. */
  readonly substitutesFrom: readonly string[];
}

/** The inventory's spec, with the credential source an Argo CD delivery can use when asked. */
function specOf(file: string, credentials?: 'external-secret'): InventorySpec {
  const spec = load(readFileSync(file, 'utf8')) as InventorySpec;
  return credentials ? { ...spec, mesh: { ...spec.mesh, credentials: { source: credentials } } } : spec;
}

function outputTree(spec: InventorySpec, tool: 'argocd' | 'flux'): Map<string, string> {
  const output = synthesizeOutput(buildMesh(Inventory.fromSpec(spec)), { gitops: { tool, repoUrl: 'https://git.example.com/mesh.git', basePath: BASE_PATH } });
  expect(output.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  return new Map(output.tree);
}

/**
 * The objects a kustomization folder builds: its file resources, the folders it names (built the
 * same way), minus what its `$patch: delete` patches select by a `key=value` or `key!=value` label.
 */
function build(tree: ReadonlyMap<string, string>, folder: string): Manifest[] {
  const kustomization = tree.get(`${folder}/kustomization.yaml`);
  if (kustomization === undefined) throw new Error(`${folder}/ has no kustomization.yaml`);
  const { resources = [], patches = [] } = load(kustomization) as { resources?: string[]; patches?: { target: { labelSelector: string }; patch: string }[] };
  let objects = resources.flatMap((resource) => {
    const path = posix.normalize(`${folder}/${resource}`);
    const file = tree.get(path);
    return file === undefined ? build(tree, path) : [load(file) as Manifest];
  });
  for (const { target, patch } of patches) {
    expect(patch).toMatch(/^\$patch: delete\n/);
    const [, key, negated, value] = /^([^!=]+)(!?)=(.*)$/.exec(target.labelSelector)!;
    objects = objects.filter((object) => (object.metadata.labels?.[key] === value) === (negated === '!'));
  }
  return objects;
}

/** One Istio chart release (Flux HelmRelease, Argo CD Application with a Helm source), as read back from `gitops/`. */
interface ChartDelivery {
  readonly name: string;
  readonly cluster: string;
  readonly chart: string;
  /** The release it follows on its cluster (Flux `dependsOn`). */
  readonly after: readonly string[];
}

/**
 * The deliveries, the chart releases, the pairs (before, after) their controller orders, and
 * whether a chart release is in, and ready, before a delivery starts.
 */
function deliveriesOf(tree: ReadonlyMap<string, string>, tool: 'argocd' | 'flux'): {
  deliveries: Delivery[];
  charts: ChartDelivery[];
  before: (a: string, b: string) => boolean;
  chartBefore: (chart: ChartDelivery, delivery: Delivery) => boolean;
} {
  const inRepo = (path: string) => path.replace(/^\.\//, '').slice(BASE_PATH.length + 1);
  if (tool === 'flux') {
    const kustomizations = [...tree].filter(([path]) => /^gitops\/kustomization\.kustomize\.toolkit\.fluxcd\.io_[^/]+\.yaml$/.test(path)).map(([, content]) => load(content) as Manifest & { spec: any });
    // A Kustomization without a kubeconfig applies to the management cluster: the HelmReleases.
    const [management, ...moreManagement] = kustomizations.filter((k) => k.spec.kubeConfig === undefined);
    expect(moreManagement).toEqual([]);
    expect(management.spec.wait, 'the charts Kustomization is ready once its HelmReleases are').toBe(true);
    const helmReleases = build(tree, inRepo(management.spec.path)).filter((o) => o.kind === 'HelmRelease') as (Manifest & { spec: any })[];
    const charts = helmReleases.map((r) => ({
      name: r.metadata.name,
      cluster: r.spec.kubeConfig.secretRef.name.replace(/-kubeconfig$/, ''),
      chart: r.spec.chart.spec.chart,
      after: (r.spec.dependsOn ?? []).map((d: { name: string }) => d.name) as string[],
    }));
    const deliveries = kustomizations.filter((k) => k !== management).map((k) => ({
      name: k.metadata.name,
      cluster: k.spec.kubeConfig.secretRef.name.replace(/-kubeconfig$/, ''),
      objects: build(tree, inRepo(k.spec.path)),
      substitutesFrom: (k.spec.postBuild?.substituteFrom ?? []).map((source: { name: string }) => source.name),
    }));
    const dependsOn = new Map(kustomizations.map((k) => [k.metadata.name, (k.spec.dependsOn ?? []).map((d: { name: string }) => d.name) as string[]]));
    for (const names of dependsOn.values()) for (const name of names) expect(dependsOn.has(name), `dependsOn ${name}`).toBe(true);
    // Acyclic: a topological order exists.
    const order: string[] = [];
    const pending = new Set(dependsOn.keys());
    while (pending.size > 0) {
      const ready = [...pending].filter((name) => dependsOn.get(name)!.every((dependency) => order.includes(dependency)));
      expect(ready, `a dependsOn cycle among ${[...pending].join(', ')}`).not.toEqual([]);
      for (const name of ready) { order.push(name); pending.delete(name); }
    }
    const reaches = (from: string, to: string): boolean => dependsOn.get(to)!.some((dependency) => dependency === from || reaches(from, dependency));
    return { deliveries, charts, before: reaches, chartBefore: (_chart, delivery) => reaches(management.metadata.name, delivery.name) };
  }
  const root = build(tree, 'gitops')[0] as Manifest & { spec: any };
  const applicationsFolder = inRepo(root.spec.source.path);
  const applications = build(tree, applicationsFolder) as (Manifest & { spec: any })[];
  const wave = new Map(applications.map((a) => [a.metadata.name, Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave'])]));
  const chartApplications = applications.filter((a) => a.spec.source.chart !== undefined);
  const charts = chartApplications.map((a) => ({ name: a.metadata.name, cluster: a.spec.destination.name, chart: a.spec.source.chart, after: [] }));
  const deliveries = applications.filter((a) => a.spec.source.chart === undefined).map((a) => ({ name: a.metadata.name, cluster: a.spec.destination.name, objects: build(tree, inRepo(a.spec.source.path)), substitutesFrom: [] }));
  const before = (a: string, b: string) => wave.get(a)! < wave.get(b)!;
  return { deliveries, charts, before, chartBefore: (chart, delivery) => before(chart.name, delivery.name) };
}

const isRemoteTokenSecret = (object: Manifest) => object.kind === 'Secret' && object.type === 'kubernetes.io/service-account-token';
const remoteSecretCluster = (object: Manifest) =>
  (object.kind === 'Secret' || object.kind === 'ExternalSecret') && object.metadata.name.startsWith('istio-remote-secret-') ? object.metadata.name.slice('istio-remote-secret-'.length) : undefined;

describe.each([
  { mesh: 'openshift', tool: 'argocd', spec: specOf(INVENTORIES.openshift) },
  { mesh: 'openshift', tool: 'flux', spec: specOf(INVENTORIES.openshift) },
  { mesh: 'hybrid', tool: 'flux', spec: specOf(INVENTORIES.hybrid) },
  { mesh: 'hybrid (external-secret)', tool: 'argocd', spec: specOf(INVENTORIES.hybrid, 'external-secret') },
] as const)('the delivery order of the $mesh mesh with $tool', ({ spec, tool }) => {
  const tree = outputTree(spec, tool);
  const { deliveries, charts, before, chartBefore } = deliveriesOf(tree, tool);
  const remotes = spec.clusters.filter((cluster) => !cluster.istio_control_plane).map((cluster) => cluster.name);
  const deliveriesWhere = (test: (object: Manifest, delivery: Delivery) => boolean) => deliveries.filter((delivery) => delivery.objects.some((object) => test(object, delivery)));

  it('delivers every object of every folder exactly once, to the folder\'s cluster', () => {
    for (const cluster of spec.clusters.map((c) => c.name)) {
      const delivered = deliveries.filter((d) => d.cluster === cluster).flatMap((d) => d.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
      const written = build(tree, `clusters/${cluster}`).concat(cluster === spec.clusters.find((c) => c.istio_control_plane)!.name ? build(tree, 'control-plane') : []);
      expect([...delivered].sort(), cluster).toEqual(written.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort());
    }
  });

  it('reads the published tokens only after every remote\'s token Secret is applied', () => {
    const consumers = deliveries.filter((d) => d.substitutesFrom.length > 0 || d.objects.some((o) => o.kind === 'ExternalSecret'));
    expect(consumers.map((d) => d.name)).toEqual([`${spec.mesh?.id ?? 'mesh1'}-control-plane`]);
    const producers = deliveriesWhere(isRemoteTokenSecret);
    expect(new Set(producers.map((d) => d.cluster))).toEqual(new Set(remotes));
    for (const consumer of consumers) for (const producer of producers) expect(before(producer.name, consumer.name), `${producer.name} before ${consumer.name}`).toBe(true);
    // AND nothing in Git produces the substituted Secret: publishing it is the one manual step
    for (const secret of consumers.flatMap((d) => d.substitutesFrom)) expect(deliveriesWhere((o) => o.kind === 'Secret' && o.metadata.name === secret)).toEqual([]);
  });

  it('creates a remote\'s pods only after its remote secret and its injection webhook', () => {
    for (const remote of remotes) {
      const [secretDelivery] = deliveriesWhere((o) => remoteSecretCluster(o) === remote);
      const webhookDeliveries = deliveriesWhere((o, d) => d.cluster === remote && o.kind === 'MutatingWebhookConfiguration');
      const podDeliveries = deliveriesWhere((o, d) => d.cluster === remote && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
      expect(secretDelivery, remote).toBeDefined();
      expect(podDeliveries.length, remote).toBeGreaterThan(0);
      for (const pods of podDeliveries) {
        expect(before(secretDelivery.name, pods.name), `${secretDelivery.name} before ${pods.name}`).toBe(true);
        for (const webhook of webhookDeliveries) expect(before(webhook.name, pods.name), `${webhook.name} before ${pods.name}`).toBe(true);
      }
    }
  });

  it('creates each namespace before, or with, the objects in it', () => {
    const controlPlane = spec.clusters.find((cluster) => cluster.istio_control_plane)!.name;
    for (const delivery of deliveries) {
      for (const object of delivery.objects.filter((o) => o.metadata.namespace !== undefined)) {
        const owners = deliveriesWhere((o, d) => d.cluster === delivery.cluster && o.kind === 'Namespace' && o.metadata.name === object.metadata.namespace);
        // The control plane's base chart release, before every delivery, creates its istio-system.
        if (delivery.cluster === controlPlane && object.metadata.namespace === 'istio-system' && owners.length === 0) {
          const base = charts.find((chart) => chart.cluster === controlPlane && chart.chart === 'base')!;
          expect(chartBefore(base, delivery), `${base.name} before ${delivery.name}`).toBe(true);
          continue;
        }
        expect(owners.length, `Namespace ${object.metadata.namespace} on ${delivery.cluster}`).toBe(1);
        expect(owners[0] === delivery || before(owners[0].name, delivery.name), `${owners[0].name} before ${delivery.name}`).toBe(true);
      }
    }
  });

  it("installs Istio's charts on every cluster, each cluster's base before its cni before istiod, and acyclic", () => {
    const controlPlane = spec.clusters.find((cluster) => cluster.istio_control_plane)!.name;
    const usesCni = spec.clusters.some((cluster) => cluster.platform === 'openshift');
    for (const cluster of spec.clusters.map((c) => c.name)) {
      const expected = [...['base'], ...(usesCni ? ['cni'] : []), ...(cluster === controlPlane ? ['istiod'] : [])];
      expect(charts.filter((chart) => chart.cluster === cluster).map((chart) => chart.chart), cluster).toEqual(expected);
    }
    // Flux: each release depends on the one before it on its cluster, and only on a release that exists.
    if (tool === 'flux') {
      for (const chart of charts) {
        const onCluster = charts.filter((other) => other.cluster === chart.cluster);
        const index = onCluster.indexOf(chart);
        expect(chart.after, chart.name).toEqual(index === 0 ? [] : [onCluster[index - 1].name]);
      }
    } else {
      // Argo CD: the waves of a cluster's releases rise in that order.
      const waveOf = (name: string) => Number((load(tree.get(`gitops/applications/application.argoproj.io_argocd_${name}.yaml`)!) as Manifest).metadata.annotations!['argocd.argoproj.io/sync-wave']);
      for (const cluster of spec.clusters.map((c) => c.name)) {
        const waves = charts.filter((chart) => chart.cluster === cluster).map((chart) => waveOf(chart.name));
        expect(waves, cluster).toEqual([...waves].sort((a, b) => a - b));
        expect(new Set(waves).size, cluster).toBe(waves.length);
      }
    }
  });

  it('applies Istio configuration and pods only after the charts whose CRDs and webhooks they need', () => {
    const controlPlane = spec.clusters.find((cluster) => cluster.istio_control_plane)!.name;
    const istiod = charts.find((chart) => chart.chart === 'istiod')!;
    expect(istiod.cluster).toBe(controlPlane);
    for (const delivery of deliveries) {
      const base = charts.find((chart) => chart.cluster === delivery.cluster && chart.chart === 'base')!;
      if (delivery.objects.some((o) => o.apiVersion.split('/')[0].endsWith('istio.io'))) expect(chartBefore(base, delivery), `${base.name} before ${delivery.name}`).toBe(true);
      if (delivery.objects.some((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))) {
        expect(chartBefore(istiod, delivery), `${istiod.name} before ${delivery.name}`).toBe(true);
        const cni = charts.find((chart) => chart.cluster === delivery.cluster && chart.chart === 'cni');
        if (cni) expect(chartBefore(cni, delivery), `${cni.name} before ${delivery.name}`).toBe(true);
      }
      // A remote's reader token Secret names the account its base chart renders.
      if (delivery.objects.some(isRemoteTokenSecret)) expect(chartBefore(base, delivery), `${base.name} before ${delivery.name}`).toBe(true);
    }
  });
});
