/**
 * One bench measurement, in a fresh process so that peak RSS belongs to this size alone:
 * `node build/bench/child.js <clusters> <services> <dir>` writes `<dir>/synth` and `<dir>/floor`
 * and prints one JSON line (a `SizeResult`). It deletes nothing: the parent deletes every output
 * once all timing is done, so that no deletion (and no discard of freed blocks) runs during a
 * measurement.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { floorFiles, runPipeline, writeFloor, type Stage } from './pipeline';

export interface SizeResult {
  readonly clusters: number;
  readonly services: number;
  /** Kubernetes objects written (manifests; kustomizations and text files not counted). */
  readonly objects: number;
  /** Files of the output tree (the output marker file writeTree adds is not counted). */
  readonly files: number;
  /** Bytes of the output tree (marker not counted). */
  readonly bytes: number;
  /** The full synth: model, constructs, synthesizeMesh, analyzers, render, atomic write. */
  readonly synthMs: number;
  readonly stages: Readonly<Record<Stage, number>>;
  /** js-yaml dump + writeFileSync of the same objects to the same files, measured after synth. */
  readonly floorMs: number;
  /** process.resourceUsage().maxRSS right after synth, in MiB. */
  readonly peakRssMb: number;
}

function measure(clusters: number, services: number, root: string): SizeResult {
  const run = runPipeline({ clusters, services }, join(root, 'synth'));
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const objects = [...run.manifests.clusters.values()].reduce((sum, list) => sum + list.length, run.manifests.controlPlane.length);
  let bytes = 0;
  for (const content of run.tree.values()) bytes += Buffer.byteLength(content);
  const floor = floorFiles(run.manifests, run.tree);
  // Synth's files reach the disk first, as the parent's `sync` did before synth: neither write pays for the other's writeback.
  execFileSync('sync');
  const floorMs = writeFloor(floor, join(root, 'floor'));
  return { clusters, services, objects, files: run.tree.size, bytes, synthMs: run.totalMs, stages: run.stages, floorMs, peakRssMb };
}

if (require.main === module) {
  const [clusters, services, root] = process.argv.slice(2);
  if (!root) throw new Error('usage: child.js <clusters> <services> <output dir>');
  process.stdout.write(`${JSON.stringify(measure(Number(clusters), Number(services), root))}\n`);
}
