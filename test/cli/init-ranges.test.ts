/**
 * `init --clusters N` for every N it accepts: the starter inventory synthesizes as written, and its
 * pod and service ranges are private and pairwise distinct (in process, through `main`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseCidr, rangesOverlap, STARTER_RANGE_CLUSTERS } from '../../lib/model/cidr';
import { runMain, tempDirs } from './support';

const dir = tempDirs('init-ranges-');

/** RFC 1918's private IPv4 blocks. */
const PRIVATE_BLOCKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((block) => parseCidr(block)!);
const isPrivate = (cidr: string) => {
  const range = parseCidr(cidr)!;
  return PRIVATE_BLOCKS.some((block) => block.first <= range.first && range.last <= block.last);
};

function initAndSynth(clusters: number) {
  const cwd = dir();
  const file = join(cwd, 'inventory.yaml');
  const init = runMain(['init', '--clusters', String(clusters), '--out', file]);
  const synth = runMain(['synth', '-i', file, '-o', join(cwd, 'dist')]);
  const inventory = load(readFileSync(file, 'utf8')) as { clusters: { podCidr: string; serviceCidr: string }[] };
  return { init, synth, ranges: inventory.clusters.flatMap((cluster) => [cluster.podCidr, cluster.serviceCidr]) };
}

describe('init --clusters N', () => {
  it('accepts 128 clusters, as many as the private address plan has distinct ranges for', () => {
    expect(STARTER_RANGE_CLUSTERS).toBe(128);
  });

  it('GIVEN any N it accepts WHEN written and synthesized THEN synth succeeds without findings, over private, distinct ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: STARTER_RANGE_CLUSTERS }), (clusters) => {
        const { init, synth, ranges } = initAndSynth(clusters);
        expect(init.status, init.stderr).toBe(0);
        expect(synth.stderr).toBe('');
        expect(synth.status).toBe(0);
        expect(synth.stdout).toContain(`Synthesized ${clusters} cluster(s) into`);
        expect(ranges).toHaveLength(2 * clusters);
        expect(ranges.filter((cidr) => !isPrivate(cidr)), 'public ranges').toEqual([]);
        const overlapping = ranges.flatMap((a, i) => ranges.slice(i + 1).filter((b) => rangesOverlap(parseCidr(a)!, parseCidr(b)!)).map((b) => `${a} ${b}`));
        expect(overlapping).toEqual([]);
      }),
      { numRuns: 12, examples: [[1], [16], [17], [33], [STARTER_RANGE_CLUSTERS]] },
    );
    // 17 synths of up to 128 clusters: seconds alone, minutes on a loaded 2-CPU machine.
  }, 300_000);

  it('GIVEN one cluster more than the plan holds WHEN init runs THEN it is a usage error naming the bound', () => {
    const result = runMain(['init', '--clusters', String(STARTER_RANGE_CLUSTERS + 1), '--out', join(dir(), 'inventory.yaml')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: --clusters must be a whole number from 1 to 128, got "129"\n\nUsage: cdk8s-istio-multicluster init/);
  });
});
