/**
 * The floor, cold: `node build/bench/floor-child.js <objects file> <output dir>` loads the objects
 * a synth child stored (`saveFloorFiles`, untimed), then times only the floor (js-yaml dump +
 * writeFileSync into `<output dir>`), in a process that has run nothing else: js-yaml is as cold
 * here as the product's code is in the synth child. Prints one JSON line (a `FloorResult`).
 */
import { loadFloorFiles, writeFloor } from './floor';

export interface FloorResult {
  /** js-yaml dump + writeFileSync of every file, loading excluded. */
  readonly floorMs: number;
  /** CPU time of the process (user + system, all threads) during the floor, in ms. */
  readonly floorCpuMs: number;
  /** Milliseconds to read and `v8.deserialize` the objects (not part of the floor). */
  readonly loadMs: number;
  /** process.resourceUsage().maxRSS at the end, in MiB. */
  readonly peakRssMb: number;
}

if (require.main === module) {
  const [objects, outdir] = process.argv.slice(2);
  if (!outdir) throw new Error('usage: floor-child.js <objects file> <output dir>');
  const start = performance.now();
  const files = loadFloorFiles(objects);
  const loadMs = performance.now() - start;
  const { user, system } = process.cpuUsage();
  const floorMs = writeFloor(files, outdir);
  const after = process.cpuUsage();
  const floorCpuMs = (after.user + after.system - user - system) / 1000;
  const result: FloorResult = { floorMs, floorCpuMs, loadMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
