import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, colourlessEnv, expectSameTree, snapshotTree, tempDirs, writeFile } from './support';

/*
 * The synth that is killed is the bin as a child process (SIGKILL ends a process); the reference
 * trees and the runs after the kill, which check what is on disk, run in process (`cli`).
 */

const dirs = tempDirs('kill-during-synth-');

/** A moderate mesh: enough files (~300) that a synth spends a while writing them. */
function inventory(clusters: number, host: string): string {
  const lines = ['mesh:', '  id: big', 'clusters:'];
  for (let i = 0; i < clusters; i++) {
    lines.push(`- name: c${i}`, `  url: https://c${i}.example.com:6443`);
    if (i === 0) lines.push('  istio_control_plane: true', '  controlPlaneAddress: 10.0.0.1');
  }
  lines.push('bookinfo:', `  host: ${host}`);
  return `${lines.join('\n')}\n`;
}

type KillPoint = { readonly name: string; readonly reached: (parent: string) => boolean };

/** Cluster folders written so far into the staging folder beside `dist`. */
function stagedClusters(parent: string): number {
  const staging = readdirSync(parent).find((name) => name.startsWith('.dist.staging-'));
  if (!staging) return 0;
  try {
    return readdirSync(join(parent, staging, 'clusters')).length;
  } catch {
    return 0;
  }
}

const KILL_POINTS: readonly KillPoint[] = [
  { name: 'once the lock is taken', reached: (parent) => existsSync(join(parent, '.dist.lock')) },
  { name: 'with 1 cluster folder staged', reached: (parent) => stagedClusters(parent) >= 1 },
  { name: 'with 4 cluster folders staged', reached: (parent) => stagedClusters(parent) >= 4 },
  { name: 'with every cluster folder staged', reached: (parent) => stagedClusters(parent) >= 7 },
  { name: 'during the swap', reached: (parent) => existsSync(join(parent, '.dist.previous')) },
];

/** Starts a synth and SIGKILLs it as soon as the kill point is reached (or lets it end). */
async function synthKilledAt(cwd: string, file: string, point: KillPoint): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'synth', '-i', file, '-o', 'dist'], { cwd, env: colourlessEnv(), stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let running = true;
  void exited.then(() => (running = false));
  while (running && !point.reached(cwd)) await new Promise((tick) => setTimeout(tick, 1));
  child.kill('SIGKILL');
  await exited;
}

describe('a synth killed at any point', () => {
  it('leaves a complete old or new tree, and the next synth recovers and cleans up', { timeout: 300_000 }, async () => {
    // GIVEN two inventories and the tree each produces
    const inputs = dirs('inputs');
    const files = [writeFile(inputs, 'a.yaml', inventory(8, 'a.example.com')), writeFile(inputs, 'b.yaml', inventory(7, 'b.example.com'))];
    const expected = files.map((file) => {
      const cwd = dirs('reference');
      expect(cli(['synth', '-i', file, '-o', 'dist'], { cwd }).status).toBe(0);
      return snapshotTree(join(cwd, 'dist'));
    });
    const cwd = dirs('work');
    expect(cli(['synth', '-i', files[0], '-o', 'dist'], { cwd }).status).toBe(0);

    for (const [index, point] of KILL_POINTS.entries()) {
      const [before, after] = index % 2 === 0 ? [0, 1] : [1, 0];
      // WHEN a synth of the other inventory is killed at this point
      await synthKilledAt(cwd, files[after], point);
      // THEN dist holds the whole old tree or the whole new one; only in the instant between the
      // swap's two renames is dist missing, and then .dist.previous holds the whole old tree
      const survivor = existsSync(join(cwd, 'dist')) ? join(cwd, 'dist') : join(cwd, '.dist.previous');
      const left = snapshotTree(survivor);
      const matches = expected.map((tree) => [...tree.keys()].length === left.size && [...tree].every(([path, bytes]) => left.get(path)?.equals(bytes)));
      expect(matches.some(Boolean), `killed ${point.name}: ${survivor} is neither complete tree`).toBe(true);
      if (survivor.endsWith('.dist.previous')) expect(matches[before], `killed ${point.name}: .dist.previous is the old tree`).toBe(true);

      // WHEN the synth runs again to completion
      const rerun = cli(['synth', '-i', files[after], '-o', 'dist'], { cwd });
      expect(rerun.status, `rerun after a kill ${point.name}: ${rerun.stderr}`).toBe(0);
      // THEN it wrote the new tree and left no lock, staging or previous folder behind
      expectSameTree(snapshotTree(join(cwd, 'dist')), expected[after]);
      expect(readdirSync(cwd)).toEqual(['dist']);
    }
  });
});

describe('two synths into one folder at once', () => {
  it('never fail with a raw rename error: each writes in turn or is refused by the lock, and the tree is whole', { timeout: 60_000 }, async () => {
    // GIVEN two inventories
    const inputs = dirs('inputs');
    const files = [writeFile(inputs, 'a.yaml', inventory(8, 'a.example.com')), writeFile(inputs, 'b.yaml', inventory(7, 'b.example.com'))];
    const cwd = dirs('work');
    // WHEN both synthesize into dist at the same time
    const results = await Promise.all(
      files.map(
        (file) =>
          new Promise<{ status: number | null; stderr: string }>((done) => {
            const child = spawn(process.execPath, [BIN, 'synth', '-i', file, '-o', 'dist'], { cwd, env: colourlessEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
            child.once('close', (status) => done({ status, stderr }));
          }),
      ),
    );
    // THEN each one wrote, or was refused because the other held the lock
    for (const { status, stderr } of results) {
      if (status !== 0) expect(stderr).toMatch(/^error: Another synth \(process \d+\) is writing .*dist; run again when it has finished \(its lock is .*\.dist\.lock\)\n/);
    }
    expect(results.some(({ status }) => status === 0)).toBe(true);
    // AND dist holds one whole tree, with nothing left beside it
    expect(readdirSync(cwd)).toEqual(['dist']);
    const rerun = cli(['synth', '-i', files[0], '-o', 'dist', '--check'], { cwd });
    const other = cli(['synth', '-i', files[1], '-o', 'dist', '--check'], { cwd });
    expect([rerun.status, other.status].sort()).toEqual([0, 1]);
  });
});

