/**
 * Pins the exact bytes synth writes, so that a performance change that alters the output fails
 * here. The hashes were taken before any optimization; a change that is meant to alter the output
 * updates them (the failure message prints the new hash).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFloorFiles, saveFloorFiles } from '../../bench/floor';
import { floorFiles, runPipeline, writeFloor } from '../../bench/pipeline';
import { buildSyntheticMesh, type SyntheticMeshSize } from '../../bench/synthetic-mesh';
import { hashFiles, hashTree, readFiles } from '../../bench/tree-hash';
import { main, type CliIo } from '../../lib/cli/main';
import { synthesizeOutput, writeMesh } from '../../lib/synth/synth-output';

/** sha256 over sorted path + content of the whole output folder (marker file included). */
const PINNED = {
  'synthetic 3x20': '26e47b640f69e05a03d9a86eb66eaf1b902e46d5e19ba46990611d86e2fe3716',
  'apps/openshift/inventory.yaml': '58dfb7a9682821d9d9ccbed42096173807ac277cb98c2495b65346a0f3950e05',
  'apps/hybrid/inventory.yaml': '951e2d9f6d22b54d637f0be52078648fb8845461bf8a46f86c97c9595083f52c',
};

const SIZE: SyntheticMeshSize = { clusters: 3, services: 20 };
const root = mkdtempSync(join(tmpdir(), 'output-bytes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const QUIET: CliIo = { stdout: () => undefined, stderr: () => undefined, color: false };

describe('synth output bytes', () => {
  it('writes the pinned tree for the synthetic 3x20 mesh (writeMesh)', () => {
    const out = join(root, 'synthetic');
    writeMesh(buildSyntheticMesh(SIZE), out);
    expect(hashTree(out), 'the output of the synthetic 3x20 mesh changed').toBe(PINNED['synthetic 3x20']);
  });

  it.each(['apps/openshift/inventory.yaml', 'apps/hybrid/inventory.yaml'] as const)('writes the pinned tree for %s (CLI synth)', (inventory) => {
    const out = join(root, inventory.split('/')[1]);
    expect(main(['synth', '--inventory', inventory, '--out', out], QUIET)).toBe(0);
    expect(hashTree(out), `the output of ${inventory} changed`).toBe(PINNED[inventory]);
  });

  it('the bench pipeline writes what writeMesh writes, and the floor the same bytes', () => {
    const staged = join(root, 'staged');
    const run = runPipeline(SIZE, staged);
    expect([...run.tree]).toEqual([...synthesizeOutput(buildSyntheticMesh(SIZE)).tree]);
    expect(hashTree(staged)).toBe(PINNED['synthetic 3x20']);
    const floor = join(root, 'floor');
    writeFloor(floorFiles(run.manifests, run.tree), floor);
    const written = readFiles(staged);
    written.delete('.cdk8s-istio-multicluster');
    expect(hashFiles(readFiles(floor))).toBe(hashFiles(written));
  });

  it('the floor of objects stored with v8.serialize and loaded again (the cold floor process) writes the same bytes', () => {
    const run = runPipeline(SIZE, join(root, 'staged-v8'));
    const stored = join(root, 'floor-objects.v8');
    saveFloorFiles(floorFiles(run.manifests, run.tree), stored);
    const floor = join(root, 'floor-v8');
    writeFloor(loadFloorFiles(stored), floor);
    const written = readFiles(join(root, 'staged-v8'));
    written.delete('.cdk8s-istio-multicluster');
    expect(hashFiles(readFiles(floor))).toBe(hashFiles(written));
  });
});
