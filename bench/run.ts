/**
 * `npm run bench`: what synth costs as meshes grow, against the floor (js-yaml dump +
 * writeFileSync of the same objects to the same files).
 *
 * Every size runs cold vs cold: synth in a fresh child process (`child.ts synth`, so peak RSS is
 * that size's own), which stores the final objects untimed; then the floor in another fresh
 * process (`floor-child.ts`), which loads them untimed and times only dump + write. Neither side
 * has run its code before the timed region, as in a CI run of the CLI. The headline size (50
 * clusters x 1,000 services) runs several times cold vs cold and warm vs warm (`child.ts warm`:
 * synth, floor, synth, floor in one process, the second runs compared), on the temp dir's
 * filesystem and in memory (tmpfs, when there is one), because file creation on a virtual disk is
 * noisy. The bundled examples are then synthesized through the CLI, process start included.
 *
 * Options: --sizes 2x4,50x1000  --runs N (headline runs in memory, default 5)  --disk-runs N (on disk, default 3)
 *          --cli-runs N (default 5)
 *          --budget SECONDS (matrix, default 210)  --profile DIR (adds --cpu-prof to each child)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { SynthResult, WarmResult } from './child';
import { FLOOR_OBJECTS_FILE } from './child';
import type { FloorResult } from './floor-child';

const CLUSTERS = [2, 10, 50, 100];
const SERVICES = [4, 100, 1000, 5000];
const HEADLINE = { clusters: 50, services: 1000 };
const ROOT = resolve(__dirname, '..', '..');
const CHILD = join(__dirname, 'child.js');
const FLOOR_CHILD = join(__dirname, 'floor-child.js');
const CLI = join(ROOT, 'bin', 'cdk8s-istio-multicluster.js');
const INVENTORIES = ['apps/openshift/inventory.yaml', 'apps/hybrid/inventory.yaml'];
const MEMORY_TMP = '/dev/shm';
/** What the headline runs and the CLI runs may take beyond the matrix budget. */
const HEADLINE_AND_CLI_MS = 60_000;

interface Options {
  readonly sizes: readonly (readonly [number, number])[];
  readonly runs: number;
  readonly diskRuns: number;
  readonly cliRuns: number;
  readonly budgetMs: number;
  readonly profile?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index < 0 ? undefined : argv[index + 1];
  };
  const sizes = value('--sizes')
    ?.split(',')
    .map((size) => size.split('x').map(Number) as [number, number]) ?? CLUSTERS.flatMap((c) => SERVICES.map((s) => [c, s] as [number, number]));
  return {
    sizes,
    runs: Number(value('--runs') ?? 5),
    diskRuns: Number(value('--disk-runs') ?? 3),
    cliRuns: Number(value('--cli-runs') ?? 5),
    budgetMs: Number(value('--budget') ?? 210) * 1000,
    profile: value('--profile'),
  };
}

const log = (line = '') => process.stdout.write(`${line}\n`);
const ms = (value: number) => `${Math.round(value)}`;
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const pad = (cells: readonly (string | number)[], widths: readonly number[]) =>
  cells.map((cell, index) => String(cell).padStart(widths[index])).join('  ');

/** One size cold vs cold: the synth child's result and the floor child's. */
interface Measured extends SynthResult {
  /** The cold floor: js-yaml dump + writeFileSync in a fresh process, loading excluded. */
  readonly floorMs: number;
  /** CPU time of the floor child during the floor (user + system, all threads). */
  readonly floorCpuMs: number;
  /** What the floor child took to read and deserialize the objects (untimed for the floor). */
  readonly floorLoadMs: number;
  /** Peak RSS of the floor child, in MiB. */
  readonly floorRssMb: number;
  /** Wall time of both children, process starts included. */
  readonly wallMs: number;
  /** The machine's 1-minute load average when the synth child started (other processes compete for the CPUs). */
  readonly load: number;
}

interface MeasuredWarm extends WarmResult {
  readonly wallMs: number;
  readonly load: number;
}

/**
 * The output folders on disk not yet deleted. On a disk they are deleted between phases, not after
 * each run: on a virtual disk, deleting some 20,000 files leaves work (journal, freed blocks) that
 * `sync` does not finish and that the next run's file creation pays for (measured at the headline:
 * write-stage medians of 3.3-3.5 s with a deletion after each run, 0.2-1.6 s with deletion deferred).
 * In memory (tmpfs) they are deleted at once: in the runs that kept them, the two largest sizes'
 * write stage took 1.0-1.5 s instead of 0.35-0.5 s.
 */
const outputs: string[] = [];
function release(dir: string, tmp: string): void {
  if (filesystemOf(tmp).startsWith('tmpfs ')) rmSync(dir, { recursive: true, force: true });
  else outputs.push(dir);
}
function deleteOutputs(): void {
  for (const dir of outputs.splice(0)) rmSync(dir, { recursive: true, force: true });
  spawnSync('sync');
}
process.on('exit', () => {
  for (const dir of outputs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs a bench child; its JSON result, or why it failed. */
function spawnChild<T>(label: string, args: readonly string[], timeoutMs: number, profile?: string): T | string {
  const child = spawnSync(process.execPath, [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), ...args], {
    encoding: 'utf8',
    timeout: Math.max(Math.round(timeoutMs), 1000),
    maxBuffer: 1 << 20,
  });
  if (child.error || child.status !== 0) {
    const reason = child.error?.message.includes('ETIMEDOUT') || child.signal === 'SIGTERM' ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : child.stderr.trim().split('\n').filter((line) => line.trim() && !line.trim().startsWith('at ')).slice(0, 6).join(' | ');
    return `${label}: ${reason}`;
  }
  return JSON.parse(child.stdout) as T;
}

/** Cold vs cold: synth in a fresh process, then the floor of its objects in another fresh process. */
function runCold(clusters: number, services: number, tmp: string, timeoutMs: number, profile?: string): Measured | string {
  const dir = mkdtempSync(join(tmp, `bench-${clusters}x${services}-`));
  try {
    // Flush what earlier runs wrote and deleted, so that none of their writeback lands in this measurement.
    spawnSync('sync');
    const load = loadavg()[0];
    const start = performance.now();
    const synth = spawnChild<SynthResult>(`${clusters}x${services} synth`, [CHILD, 'synth', String(clusters), String(services), dir], timeoutMs, profile);
    if (typeof synth === 'string') return synth;
    // Synth's files reach the disk first: the floor does not pay for their writeback.
    spawnSync('sync');
    const left = timeoutMs - (performance.now() - start);
    const floor = spawnChild<FloorResult>(`${clusters}x${services} floor`, [FLOOR_CHILD, join(dir, FLOOR_OBJECTS_FILE), join(dir, 'floor')], left, profile);
    if (typeof floor === 'string') return floor;
    return { ...synth, floorMs: floor.floorMs, floorCpuMs: floor.floorCpuMs, floorLoadMs: floor.loadMs, floorRssMb: floor.peakRssMb, wallMs: performance.now() - start, load };
  } finally {
    release(dir, tmp);
  }
}

/** Warm vs warm: synth, floor, synth, floor in one fresh process. */
function runWarm(clusters: number, services: number, tmp: string, timeoutMs: number): MeasuredWarm | string {
  const dir = mkdtempSync(join(tmp, `bench-warm-${clusters}x${services}-`));
  try {
    spawnSync('sync');
    const load = loadavg()[0];
    const start = performance.now();
    const warm = spawnChild<WarmResult>(`${clusters}x${services} warm`, [CHILD, 'warm', String(clusters), String(services), dir], timeoutMs);
    if (typeof warm === 'string') return warm;
    return { ...warm, wallMs: performance.now() - start, load };
  } finally {
    release(dir, tmp);
  }
}

/** Per-doubling growth factor between two measurements: (t2/t1)^(1/log2(n2/n1)). */
const perDoubling = (t1: number, t2: number, n1: number, n2: number) => (t2 / t1) ** (1 / Math.log2(n2 / n1));

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const diskTmp = tmpdir();
  const memoryTmp = existsSync(MEMORY_TMP) && statSync(MEMORY_TMP).isDirectory() ? MEMORY_TMP : undefined;
  log('# cdk8s-istio-multicluster synth benchmark');
  log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes on the machine share its CPUs)`);
  log(`machine: ${availableParallelism()} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free), node ${process.version}, ${process.platform}/${process.arch}`);
  const matrixTmp = memoryTmp ?? diskTmp;
  log(`output: matrix in ${matrixTmp} (${filesystemOf(matrixTmp)})${memoryTmp ? `, headline in ${diskTmp} (${filesystemOf(diskTmp)}) and ${memoryTmp}` : ''}`);
  if (memoryTmp) {
    log('  (creating a file on this disk takes 0.03-0.3 ms depending on writeback from earlier runs, which would drown the growth of synth');
    log('   itself; the matrix is measured in memory, the headline on both, with `sync` before every run)');
  }
  log('synth = Mesh.fromSpec + constructs + synthesizeMesh + analyzers + render + atomic writeTree, in a fresh process per size (cold JIT)');
  log('floor = js-yaml dump (writer options) + writeFileSync of the same final objects to the same paths, in another fresh process per size');
  log('        that only loads them (v8.deserialize, untimed) before the timed region (cold JIT): cold vs cold, as a CI run of the CLI');
  log('        (module loading is outside the timed region on both sides); the headline adds warm vs warm');
  log();

  // Smallest first, so that the largest size is measured only if the budget leaves room for it.
  const sizes = [...options.sizes].sort(([c1, s1], [c2, s2]) => c1 * s1 - c2 * s2 || c1 - c2);
  const results = new Map<string, Measured>();
  const notes: string[] = [];
  const widths = [4, 5, 7, 7, 6, 7, 7, 5, 6, 6, 5, 6, 6, 6, 6, 6, 5];
  log(pad(['C', 'S', 'objects', 'files', 'KB', 'synth', 'floor', 'ratio', 'rss MB', 'us/obj', 'model', 'constr', 'synth', 'analyz', 'render', 'write', 'load'], widths));
  log(pad(['', '', '', '', '', 'ms', 'ms', '', '', '', 'ms', 'ms', 'ms', 'ms', 'ms', 'ms', ''], widths));
  for (const [clusters, services] of sizes) {
    const key = `${clusters}x${services}`;
    const elapsed = performance.now() - started;
    const remaining = options.budgetMs - elapsed;
    const estimate = estimateMs(results, clusters, services);
    if (estimate !== undefined && estimate > remaining) {
      notes.push(`${key} not measured: estimated ${Math.round(estimate / 1000)} s (from the measured growth), ${Math.round(Math.max(remaining, 0) / 1000)} s of the ${options.budgetMs / 1000} s budget left`);
      continue;
    }
    const result = runCold(clusters, services, matrixTmp, Math.max(remaining, 10_000), options.profile);
    if (typeof result === 'string') {
      notes.push(result);
      continue;
    }
    results.set(key, result);
    const s = result.stages;
    log(
      pad(
        [clusters, services, result.objects, result.files, Math.round(result.bytes / 1024), ms(result.synthMs), ms(result.floorMs), (result.synthMs / result.floorMs).toFixed(2), ms(result.peakRssMb),
          ms((result.synthMs * 1000) / result.objects), ms(s.model), ms(s.constructs), ms(s.synth), ms(s.analyze), ms(s.render), ms(s.write), result.load.toFixed(1)],
        widths,
      ),
    );
  }
  for (const note of notes) log(`note: ${note}`);
  log();

  deleteOutputs();
  growth(results);
  analyzers(results);
  const headline = headlineRuns(options, diskTmp, memoryTmp, results.get(`${HEADLINE.clusters}x${HEADLINE.services}`), started);
  cli(options);

  log();
  log(`bench took ${Math.round((performance.now() - started) / 1000)} s; load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (headline) {
    log(`bench: clusters=${HEADLINE.clusters} services=${HEADLINE.services} objects=${headline.objects} synth_ms=${Math.round(headline.synthMs)} floor_ms=${Math.round(headline.floorMs)} ratio=${(headline.synthMs / headline.floorMs).toFixed(2)} peak_rss_mb=${Math.round(headline.peakRssMb)}`);
  } else {
    log(`bench: clusters=${HEADLINE.clusters} services=${HEADLINE.services} not measured`);
  }
}

/** The time a size will take, from the largest measured size, assuming linear growth in objects x 1.2. */
function estimateMs(results: ReadonlyMap<string, Measured>, clusters: number, services: number): number | undefined {
  const largest = [...results.values()].sort((a, b) => b.objects - a.objects)[0];
  if (!largest || largest.objects < 1000) return undefined;
  // Objects grow with services x (a few clusters each) plus a fixed set per cluster.
  const objects = services * 9 + clusters * 15;
  return largest.wallMs * (objects / largest.objects) * 1.2;
}

function growth(results: ReadonlyMap<string, Measured>): void {
  log('## Growth: factor per doubling = (t2/t1)^(1/log2(n2/n1)); 2.0 is linear, the target is <= 2.2');
  log('S doubles (C fixed): synth time factor (cold floor factor, objects factor)');
  let worst = 0;
  for (const clusters of CLUSTERS) {
    const cells: string[] = [];
    for (let i = 1; i < SERVICES.length; i++) {
      const a = results.get(`${clusters}x${SERVICES[i - 1]}`);
      const b = results.get(`${clusters}x${SERVICES[i]}`);
      if (!a || !b) continue;
      const factor = perDoubling(a.synthMs, b.synthMs, SERVICES[i - 1], SERVICES[i]);
      if (SERVICES[i - 1] >= 1000 || (SERVICES[i - 1] >= 100 && clusters >= 10)) worst = Math.max(worst, factor);
      cells.push(`S ${SERVICES[i - 1]}->${SERVICES[i]}: x${factor.toFixed(2)} (floor x${perDoubling(a.floorMs, b.floorMs, SERVICES[i - 1], SERVICES[i]).toFixed(2)}, objects x${perDoubling(a.objects, b.objects, SERVICES[i - 1], SERVICES[i]).toFixed(2)})`);
    }
    if (cells.length) log(`  C=${clusters}: ${cells.join(', ')}`);
  }
  log('C doubles (S fixed): synth time factor (cold floor factor, objects factor)');
  for (const services of SERVICES) {
    const cells: string[] = [];
    for (let i = 1; i < CLUSTERS.length; i++) {
      const a = results.get(`${CLUSTERS[i - 1]}x${services}`);
      const b = results.get(`${CLUSTERS[i]}x${services}`);
      if (!a || !b) continue;
      const factor = perDoubling(a.synthMs, b.synthMs, CLUSTERS[i - 1], CLUSTERS[i]);
      if (services >= 1000) worst = Math.max(worst, factor);
      cells.push(`C ${CLUSTERS[i - 1]}->${CLUSTERS[i]}: x${factor.toFixed(2)} (floor x${perDoubling(a.floorMs, b.floorMs, CLUSTERS[i - 1], CLUSTERS[i]).toFixed(2)}, objects x${perDoubling(a.objects, b.objects, CLUSTERS[i - 1], CLUSTERS[i]).toFixed(2)})`);
    }
    if (cells.length) log(`  S=${services}: ${cells.join(', ')}`);
  }
  log(`worst factor per doubling where the mesh is large (S >= 1000, or S >= 100 with C >= 10, so fixed costs do not hide growth): x${worst.toFixed(2)} (target <= 2.2: ${worst <= 2.2 ? 'met' : 'NOT met'})`);
  log();
}

function analyzers(results: ReadonlyMap<string, Measured>): void {
  log('## Analyzers');
  log('The analyzers are index-based (linear): lib/analyzers/mesh-index.ts indexes the mesh once (Services, workloads by label pair,');
  log('DestinationRules by host, secrets, namespaces) and every analyzer answers by lookups, never by scanning objects per object.');
  const rows = [...results.values()].sort((a, b) => a.objects - b.objects);
  log(`measured analyzer stage: ${rows.map((r) => `${r.clusters}x${r.services} ${ms(r.stages.analyze)} ms (${((r.stages.analyze * 1000) / r.objects).toFixed(0)} us/obj)`).join(', ')}`);
  const factors = CLUSTERS.flatMap((clusters) => {
    const [a, b] = [results.get(`${clusters}x1000`), results.get(`${clusters}x5000`)];
    return a && b ? [`C=${clusters} x${perDoubling(a.stages.analyze, b.stages.analyze, a.objects, b.objects).toFixed(2)}`] : [];
  });
  if (factors.length > 0) log(`analyzer time per doubling of objects, S 1000 -> 5000: ${factors.join(', ')} (2.0 is linear)`);
  const large = rows.filter((r) => r.objects >= 1000).map((r) => (r.stages.analyze * 1000) / r.objects);
  if (large.length > 0) log(`analyzer time per object at every size of 1,000 objects or more: ${Math.min(...large).toFixed(0)}-${Math.max(...large).toFixed(0)} us`);
  log();
}

interface Headline {
  readonly objects: number;
  readonly synthMs: number;
  readonly floorMs: number;
  readonly peakRssMb: number;
}

type Stages = SynthResult['stages'];
const stageNames = (stages: Stages) => Object.keys(stages) as (keyof Stages)[];
const medianStages = (runs: readonly Stages[]) => stageNames(runs[0]).map((stage) => `${stage} ${ms(median(runs.map((r) => r[stage])))}`).join(', ');
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

/**
 * The headline size on each filesystem: cold pairs (`fromMatrix`, its matrix run, is reused for the matrix's filesystem)
 * interleaved with warm processes; reports both views and returns the cold medians of the last line's filesystem.
 */
function headlineRuns(options: Options, diskTmp: string, memoryTmp: string | undefined, fromMatrix: Measured | undefined, started: number): Headline | undefined {
  const { clusters, services } = HEADLINE;
  log(`## Headline ${clusters} clusters x ${services} services: cold pairs and warm processes, interleaved (${memoryTmp ? `${options.runs} of each in memory, ` : ''}${memoryTmp ? options.diskRuns : options.runs} on disk), medians`);
  // Leave the CLI runs about 20 s of the budget.
  const deadline = started + options.budgetMs + HEADLINE_AND_CLI_MS - 20_000;
  const measure = (tmp: string, runs: number, reuse?: Measured) => {
    const cold: Measured[] = reuse ? [reuse] : [];
    const warm: MeasuredWarm[] = [];
    let coldEstimate = reuse?.wallMs ?? fromMatrix?.wallMs ?? 10_000;
    let warmEstimate = 2.5 * coldEstimate;
    while (cold.length < runs || warm.length < runs) {
      const coldNext = cold.length <= warm.length && cold.length < runs;
      const left = deadline - performance.now();
      if (left < 1.5 * (coldNext ? coldEstimate : warmEstimate)) {
        log(`note: ${tmp}: ${cold.length} cold pair(s) and ${warm.length} warm process(es) only, the time budget is spent`);
        break;
      }
      const result = coldNext ? runCold(clusters, services, tmp, left) : runWarm(clusters, services, tmp, left);
      if (typeof result === 'string') {
        log(`note: ${result}`);
        break;
      }
      if ('first' in result) {
        warm.push(result);
        warmEstimate = result.wallMs;
      } else {
        cold.push(result);
        coldEstimate = result.wallMs;
      }
    }
    return { cold, warm };
  };
  const report = (label: string, cold: readonly Measured[], warm: readonly MeasuredWarm[]): Headline | undefined => {
    log(`### ${label}`);
    let headline: Headline | undefined;
    if (cold.length > 0) {
      const synth = median(cold.map((r) => r.synthMs));
      const floor = median(cold.map((r) => r.floorMs));
      const rss = Math.max(...cold.map((r) => r.peakRssMb));
      headline = { objects: cold[0].objects, synthMs: synth, floorMs: floor, peakRssMb: rss };
      log(`cold vs cold (synth and floor each in a fresh process): synth ${cold.map((r) => ms(r.synthMs)).join('/')} ms (median ${ms(synth)}), floor ${cold.map((r) => ms(r.floorMs)).join('/')} ms (median ${ms(floor)}), ratio of the medians ${(synth / floor).toFixed(2)} (median of the pairs' ratios ${median(cold.map((r) => r.synthMs / r.floorMs)).toFixed(2)})`);
      log(`  synth stages (medians, ms): ${medianStages(cold.map((r) => r.stages))}`);
      const [synthCpu, floorCpu] = [median(cold.map((r) => r.synthCpuMs)), median(cold.map((r) => r.floorCpuMs))];
      log(`  CPU time (user + system, all threads; less sensitive to other load than wall time): synth median ${ms(synthCpu)} ms, floor median ${ms(floorCpu)} ms, ratio ${(synthCpu / floorCpu).toFixed(2)}`);
      log(`  peak RSS: synth process ${ms(rss)} MB, floor process ${ms(Math.max(...cold.map((r) => r.floorRssMb)))} MB; the floor process loaded the objects in ${ms(median(cold.map((r) => r.floorLoadMs)))} ms (untimed); load average ${cold.map((r) => r.load.toFixed(1)).join('/')}`);
      const building = median(cold.map((r) => r.stages.model + r.stages.constructs + r.stages.synth + r.stages.analyze));
      const output = median(cold.map((r) => r.stages.render + r.stages.write));
      log(`  beyond the floor: model + constructs + synth + analyze (building and checking the objects the floor is handed ready-made) ${ms(building)} ms = ${Math.round((100 * building) / synth)}% of synth; render + write (the floor's own work, each distinct object dumped once) ${ms(output)} ms against the floor's ${ms(floor)} ms`);
      log(`  targets: synth within 2x the floor: ${met(synth <= 2 * floor)} (ratio ${(synth / floor).toFixed(2)}${synth > 2 * floor ? `: synth is ${ms(synth - 2 * floor)} ms over 2 x ${ms(floor)} ms` : ''}); peak RSS under 1 GiB: ${met(rss < 1024)} (${ms(rss)} MB)`);
    }
    if (warm.length > 0) {
      const synth = median(warm.map((r) => r.second.synthMs));
      const floor = median(warm.map((r) => r.second.floorMs));
      log(`warm vs warm (second synth and second floor in one process): synth ${warm.map((r) => ms(r.second.synthMs)).join('/')} ms (median ${ms(synth)}), floor ${warm.map((r) => ms(r.second.floorMs)).join('/')} ms (median ${ms(floor)}), ratio of the medians ${(synth / floor).toFixed(2)} (median of the processes' ratios ${median(warm.map((r) => r.second.synthMs / r.second.floorMs)).toFixed(2)})`);
      log(`  synth stages (medians, ms): ${medianStages(warm.map((r) => r.second.stages))}; load average ${warm.map((r) => r.load.toFixed(1)).join('/')}`);
      const [synthCpu, floorCpu] = [median(warm.map((r) => r.second.synthCpuMs)), median(warm.map((r) => r.second.floorCpuMs))];
      log(`  CPU time (user + system, all threads): synth median ${ms(synthCpu)} ms, floor median ${ms(floorCpu)} ms, ratio ${(synthCpu / floorCpu).toFixed(2)}`);
      const firstSynth = median(warm.map((r) => r.first.synthMs));
      const firstFloor = median(warm.map((r) => r.first.floorMs));
      log(`  first runs in the same processes: synth ${ms(firstSynth)} ms (cold), floor ${ms(firstFloor)} ms (right after synth, js-yaml already warm), ratio ${(firstSynth / firstFloor).toFixed(2)}: the mixed measurement this bench used to report`);
      log(`  targets: synth within 2x the floor: ${met(synth <= 2 * floor)} (ratio ${(synth / floor).toFixed(2)}${synth > 2 * floor ? `: synth is ${ms(synth - 2 * floor)} ms over 2 x ${ms(floor)} ms` : ''})`);
    }
    return headline;
  };
  // The last line reports the in-memory cold pairs where there are any: on this kind of virtual disk the same file writes take
  // 0.7-3 s from run to run on both sides, which says nothing about synth; the disk runs show what a user's disk adds.
  let memory: Headline | undefined;
  if (memoryTmp) {
    const { cold, warm } = measure(memoryTmp, options.runs, fromMatrix);
    deleteOutputs();
    memory = report(`memory (${memoryTmp}: no disk I/O, the CPU cost alone; cold vs cold is the last line)`, cold, warm);
  }
  const { cold, warm } = measure(diskTmp, memoryTmp ? options.diskRuns : options.runs, memoryTmp ? undefined : fromMatrix);
  deleteOutputs();
  const disk = report(`disk (${diskTmp}${memory ? '' : '; cold vs cold is the last line'})`, cold, warm);
  log();
  return memory ?? disk;
}

function cli(options: Options): void {
  log(`## Bundled examples through the CLI (node ${CLI.slice(ROOT.length + 1)} synth --inventory ... --out <tmp>), process start included, ${options.cliRuns} runs`);
  const out = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  try {
    for (const inventory of INVENTORIES) {
      const times: number[] = [];
      for (let run = 0; run < options.cliRuns; run++) {
        const start = performance.now();
        const child = spawnSync(process.execPath, [CLI, 'synth', '--inventory', inventory, '--out', join(out, 'dist')], { cwd: ROOT, encoding: 'utf8' });
        times.push(performance.now() - start);
        if (child.status !== 0) throw new Error(`CLI synth of ${inventory} failed: ${child.stderr}`);
      }
      const best = Math.min(...times);
      const middle = median(times);
      log(`${inventory}: min ${ms(best)} ms, median ${ms(middle)} ms (runs ${times.map(ms).join('/')}); target < 1500 ms: ${middle < 1500 ? 'met' : 'NOT met'}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function filesystemOf(path: string): string {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' '));
    const real = resolve(path);
    const mount = mounts.filter(([, point]) => point && (real === point || real.startsWith(point.endsWith('/') ? point : `${point}/`))).sort((a, b) => b[1].length - a[1].length)[0];
    return mount ? `${mount[2]} on ${mount[1]}` : 'unknown filesystem';
  } catch {
    return 'unknown filesystem';
  }
}

main();
