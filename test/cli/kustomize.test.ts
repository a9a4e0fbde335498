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
    // GIVEN a folder whose kustomization lists every manifest file in it
    const path = join(out, folder);
    const resources = kustomizationResources(path);
    expect([...resources].sort()).toEqual(readdirSync(path).filter((file) => file !== 'kustomization.yaml').sort());
    // WHEN kustomize builds it
    const built = run('kubectl', ['kustomize', path], { cwd });
    // THEN it succeeds with exactly the objects of those files
    expect(built.status, built.stderr).toBe(0);
    const documents = yamlDocuments(built.stdout);
    expect(documents).toHaveLength(resources.length);
    expect(objectNames(documents)).toEqual(objectNames(resources.flatMap((file) => yamlDocuments(readFileSync(join(path, file), 'utf8')))));
  });
});
