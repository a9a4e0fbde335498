/**
 * Today's output applied over the previous release's (the bundled meshes' whole-tree snapshot at
 * the last commit that changed their inventories, installed from its own READMEs): every apply
 * succeeds, so no immutable field (a selector, `clusterIP`, a `roleRef`) changes between the
 * two, and no object of today's warns.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/support';
import { previousReleaseTree } from './support/previous-release';
import { unexpectedOutput } from './support/replay';
import { installMesh, type InstalledMesh } from './support/scenario';

const BUNDLED = ['apps/openshift/inventory.yaml', 'apps/hybrid/inventory.yaml'];

describe.each(BUNDLED)('GIVEN the bundled mesh %s installed as the previous release wrote it', (inventory) => {
  let mesh: InstalledMesh;
  beforeAll(async () => {
    mesh = await installMesh({ inventory: { file: join(REPO_ROOT, inventory) }, istioVersion: '1.30', over: previousReleaseTree(inventory) });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it("WHEN today's output is applied over it in today's order THEN every object is accepted, with no warning", () => {
    expect(mesh.previous!.applied.length).toBeGreaterThanOrEqual(4);
    expect(mesh.replay.applied.length).toBeGreaterThanOrEqual(4);
    expect(unexpectedOutput([...mesh.previous!.output, ...mesh.replay.output])).toEqual([]);
  });

  it("WHEN today's folders are applied once more THEN nothing changes", () => {
    expect(mesh.replay.diffAgain()).toEqual([]);
  });
});
