/**
 * The synth side of a bench measurement, in a fresh process so that peak RSS belongs to this size
 * alone. Two modes, each printing one JSON line:
 *
 * - `node build/bench/child.js synth <clusters> <services> <dir>` (a `SynthResult`): one cold
 *   synth into `<dir>/synth`; then, outside the timed region, it stores the floor's files (the
 *   final objects, path -> object) in `<dir>/floor-objects.v8` for `floor-child.ts`, which times
 *   the floor in another fresh process (cold vs cold).
 * - `node build/bench/child.js warm <clusters> <services> <dir>` (a `WarmResult`): synth, floor,
 *   synth, floor in this one process, into `<dir>/synth-1`, `<dir>/floor-1`, `<dir>/synth-2`,
 *   `<dir>/floor-2`; the second runs are warm vs warm.
 *
 * It deletes nothing: the parent deletes every output once all timing is done, so that no
 * deletion (and no discard of freed blocks) runs during a measurement.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { saveFloorFiles, writeFloor } from './floor';
import { floorFiles, runPipeline, type Stage } from './pipeline';

/** Where the synth child stores the floor's files for the floor child. */
export const FLOOR_OBJECTS_FILE = 'floor-objects.v8';

export interface SynthResult {
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
  /** CPU time of the process (user + system, all its threads) during synth, in ms. */
  readonly synthCpuMs: number;
  /** process.resourceUsage().maxRSS right after synth, in MiB. */
  readonly peakRssMb: number;
}

/** One synth then one floor, timed, in the same process. */
export interface RunPair {
  readonly synthMs: number;
  readonly stages: Readonly<Record<Stage, number>>;
  readonly floorMs: number;
  /** CPU time (user + system, all threads) of each, in ms. */
  readonly synthCpuMs: number;
  readonly floorCpuMs: number;
}

export interface WarmResult {
  readonly objects: number;
  /** synth and floor run for the first time in this process. */
  readonly first: RunPair;
  /** synth and floor run again in the same process: both warm. */
  readonly second: RunPair;
}

/** CPU time of the whole process so far (user + system, all threads), in ms. */
export const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Lets earlier writes reach the disk, so that no measurement pays for another's writeback. */
const sync = () => execFileSync('sync');

function synth(clusters: number, services: number, root: string): SynthResult {
  const cpu = cpuMs();
  const run = runPipeline({ clusters, services }, join(root, 'synth'));
  const synthCpuMs = cpuMs() - cpu;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const objects = [...run.manifests.clusters.values()].reduce((sum, list) => sum + list.length, run.manifests.controlPlane.length);
  let bytes = 0;
  for (const content of run.tree.values()) bytes += Buffer.byteLength(content);
  saveFloorFiles(floorFiles(run.manifests, run.tree), join(root, FLOOR_OBJECTS_FILE));
  return { clusters, services, objects, files: run.tree.size, bytes, synthMs: run.totalMs, stages: run.stages, synthCpuMs, peakRssMb };
}

function warm(clusters: number, services: number, root: string): WarmResult {
  let objects = 0;
  const pair = (index: number): RunPair => {
    sync();
    let cpu = cpuMs();
    const run = runPipeline({ clusters, services }, join(root, `synth-${index}`));
    const synthCpuMs = cpuMs() - cpu;
    const floor = floorFiles(run.manifests, run.tree);
    objects = [...run.manifests.clusters.values()].reduce((sum, list) => sum + list.length, run.manifests.controlPlane.length);
    sync();
    cpu = cpuMs();
    const floorMs = writeFloor(floor, join(root, `floor-${index}`));
    return { synthMs: run.totalMs, stages: run.stages, floorMs, synthCpuMs, floorCpuMs: cpuMs() - cpu };
  };
  const first = pair(1);
  const second = pair(2);
  return { objects, first, second };
}

if (require.main === module) {
  const [mode, clusters, services, root] = process.argv.slice(2);
  if (!root || (mode !== 'synth' && mode !== 'warm')) throw new Error('usage: child.js synth|warm <clusters> <services> <output dir>');
  const result = mode === 'synth' ? synth(Number(clusters), Number(services), root) : warm(Number(clusters), Number(services), root);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
