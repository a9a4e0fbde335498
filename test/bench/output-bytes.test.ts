/**
 * Pins the exact bytes synth writes, so that a performance change that alters the output fails
 * here. The hashes were taken before any optimization; a change that is meant to alter the output
 * updates them (the failure message prints the new hash).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { floorFiles, runPipeline, writeFloor } from '../../bench/pipeline';
import { buildSyntheticMesh, type SyntheticMeshSize } from '../../bench/synthetic-mesh';
import { hashFiles, hashTree, readFiles } from '../../bench/tree-hash';
import { main, type CliIo } from '../../lib/cli/main';
import { synthesizeOutput, writeMesh } from '../../lib/synth-output';

/** sha256 over sorted path + content of the whole output folder (marker file included). */
const PINNED = {
  'synthetic 3x20': '0eb683318d2832ddd4816b7a1099aff3e8828f311cde4c80cf2c7c1205d8941a',
  'apps/openshift/inventory.yaml': '9c73d62aaa278ed6b195512d8bfcc4047265a4e7d0b34af12c3db2232ae9283a',
  'apps/hybrid/inventory.yaml': '2f29d0c781da7ba1cb41c06847b01f2e667613f90024968f87c742a207dd9c0b',
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
});
