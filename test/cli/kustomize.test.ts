/**
 * What the CLI writes is what kustomize builds: every folder of a synthesized tree goes through
 * `kubectl kustomize` and yields exactly the objects its kustomization.yaml lists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INVENTORIES, cli, inventoryClusters, kustomizationResources, run, tempDirs, yamlDocuments } from './support';

const dir = tempDirs('cli-kustomize-');

/** `Kind/name` of each object, sorted. */
function objectNames(objects: readonly unknown[]): string[] {
  return objects.map((object) => (object as { kind: string; metadata: { name: string } })).map(({ kind, metadata }) => `${kind}/${metadata.name}`).sort();
}

describe.each([
  { inventory: 'openshift', gitops: 'argocd' },
  { inventory: 'hybrid', gitops: 'flux' },
] as const)('kubectl kustomize on the $inventory example with $gitops', ({ inventory, gitops }) => {
  const folders = [...inventoryClusters(INVENTORIES[inventory]).map((cluster) => `clusters/${cluster}`), 'control-plane', 'gitops'];
  let cwd: string;
  let out: string;

  beforeAll(() => {
    cwd = dir();
    out = join(cwd, 'dist');
    const synth = cli(['synth', '-i', INVENTORIES[inventory], '--gitops', gitops, '--repo-url', 'https://git.example.com/mesh.git'], { cwd });
    expect(synth.status, synth.stderr).toBe(0);
  });

  it('writes exactly these folders', () => {
    const written = [...readdirSync(join(out, 'clusters')).map((cluster) => `clusters/${cluster}`), ...readdirSync(out).filter((entry) => ['control-plane', 'gitops'].includes(entry))];
    expect(written.sort()).toEqual([...folders].sort());
  });

  it.each(folders)('%s builds, with one object per listed resource', (folder) => {
    // GIVEN a folder whose kustomization lists every manifest file in it (the argocd-cm merge patches of gitops/ are applied apart)
    const path = join(out, folder);
    const resources = kustomizationResources(path);
    const files = readdirSync(path, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name !== 'kustomization.yaml' && !entry.name.endsWith('.patch.yaml')).map((entry) => entry.name);
    expect([...resources].sort()).toEqual(files.sort());
    // WHEN kustomize builds it
    const built = run('kubectl', ['kustomize', path], { cwd });
    // THEN it succeeds with exactly the objects of those files
    expect(built.status, built.stderr).toBe(0);
    const documents = yamlDocuments(built.stdout);
    expect(documents).toHaveLength(resources.length);
    expect(objectNames(documents)).toEqual(objectNames(resources.flatMap((file) => yamlDocuments(readFileSync(join(path, file), 'utf8')))));
  });

  it('builds each remote\'s two phases into its mesh components and the rest of its folder', () => {
    const phasesDir = join(out, 'gitops', 'phases');
    const phases = readdirSync(phasesDir);
    const remotes = phases.filter((phase) => phase.endsWith('-mesh')).map((phase) => phase.slice(0, -'-mesh'.length));
    expect(remotes.length).toBeGreaterThan(0);
    for (const workloads of remotes) {
      const cluster = workloads.replace(/^.*?-cluster-/, '');
      const built = (folder: string) => {
        const result = run('kubectl', ['kustomize', folder], { cwd });
        expect(result.status, result.stderr).toBe(0);
        return yamlDocuments(result.stdout) as { metadata: { labels?: Record<string, string> } }[];
      };
      const meshComponents = built(join(phasesDir, `${workloads}-mesh`));
      const rest = built(join(phasesDir, workloads));
      // THEN the two phases split the folder by the mesh-component label, and together are the whole folder
      expect(meshComponents.length).toBeGreaterThan(0);
      expect(meshComponents.every((object) => object.metadata.labels?.['app.kubernetes.io/part-of'] === 'istio')).toBe(true);
      expect(rest.some((object) => object.metadata.labels?.['app.kubernetes.io/part-of'] === 'istio')).toBe(false);
      expect(objectNames([...meshComponents, ...rest])).toEqual(objectNames(built(join(out, 'clusters', cluster))));
    }
  });
});

describe('kubectl kustomize on the Sail example (a Subscription, InPlace) with flux', () => {
  it('GIVEN its phases WHEN each is built THEN the phases of a folder split it, each object in exactly one phase, the Subscription and the reader token Secret each alone', () => {
    const cwd = dir();
    const synth = cli(['synth', '-i', join(INVENTORIES.openshift, '..', 'inventory-sail.yaml'), '--gitops', 'flux', '--repo-url', 'https://git.example.com/mesh.git'], { cwd });
    expect(synth.status, synth.stderr).toBe(0);
    const out = join(cwd, 'dist');
    const built = (folder: string) => {
      const result = run('kubectl', ['kustomize', folder], { cwd });
      expect(result.status, result.stderr).toBe(0);
      return yamlDocuments(result.stdout);
    };
    const phasesDir = join(out, 'gitops', 'phases');
    for (const cluster of readdirSync(join(out, 'clusters'))) {
      const phases = readdirSync(phasesDir).filter((phase) => phase === `mesh1-cluster-${cluster}` || phase.startsWith(`mesh1-cluster-${cluster}-`));
      const byPhase = new Map(phases.map((phase) => [phase, objectNames(built(join(phasesDir, phase)))]));
      expect(byPhase.get(`mesh1-cluster-${cluster}-operator`)).toEqual(['Subscription/servicemeshoperator3']);
      expect([...byPhase.values()].flat().sort()).toEqual(objectNames(built(join(out, 'clusters', cluster))));
    }
    expect(objectNames(built(join(phasesDir, 'mesh1-cluster-ocp-west-after-istio')))).toEqual(['Secret/istio-reader-service-account-istio-remote-secret-token']);
  });
});
