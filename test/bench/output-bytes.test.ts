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
  'synthetic 3x20': 'c819b02cbc4c8da2e40d2b979ff02645d0af12c601b08843023d37b4dd6b7922',
  'apps/openshift/inventory.yaml': '4727b310a6594eb739565e6752fcc59b493cb6e09db1c055da8e68c123852812',
  'apps/hybrid/inventory.yaml': '7f7db35ef8e8a58b20783deb4d0e5a57f5bd9342fc64bc21004890041eac7773',
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
