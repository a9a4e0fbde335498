/**
 * `npm run bench`: what synth costs as meshes grow, against the floor (js-yaml dump +
 * writeFileSync of the same objects to the same files).
 *
 * Every size runs in a fresh child process (`child.ts`), so peak RSS is that size's own. The
 * headline size (50 clusters x 1,000 services) runs several times, on the temp dir's filesystem
 * and in memory (tmpfs, when there is one), because file creation on a virtual disk is noisy.
 * The bundled examples are then synthesized through the CLI, process start included.
 *
 * Options: --sizes 2x4,50x1000  --runs N (headline runs, default 3)  --cli-runs N (default 5)
 *          --budget SECONDS (matrix, default 210)  --profile DIR (adds --cpu-prof to each child)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { SizeResult } from './child';

const CLUSTERS = [2, 10, 50, 100];
const SERVICES = [4, 100, 1000, 5000];
const HEADLINE = { clusters: 50, services: 1000 };
const ROOT = resolve(__dirname, '..', '..');
const CHILD = join(__dirname, 'child.js');
const CLI = join(ROOT, 'bin', 'cdk8s-istio-multicluster.js');
const INVENTORIES = ['apps/openshift/inventory.yaml', 'apps/hybrid/inventory.yaml'];
const MEMORY_TMP = '/dev/shm';
/** What the headline runs and the CLI runs may take beyond the matrix budget. */
const HEADLINE_AND_CLI_MS = 60_000;

interface Options {
  readonly sizes: readonly (readonly [number, number])[];
  readonly runs: number;
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
    runs: Number(value('--runs') ?? 3),
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

interface Measured extends SizeResult {
  /** Wall time of the child, process start included. */
  readonly childMs: number;
  /** The machine's 1-minute load average when the child started (other processes compete for the CPUs). */
  readonly load: number;
}

function runChild(clusters: number, services: number, tmp: string, timeoutMs: number, profile?: string): Measured | string {
  const dir = mkdtempSync(join(tmp, `bench-${clusters}x${services}-`));
  // Flush what earlier runs wrote and deleted, so that none of their writeback lands in this measurement.
  spawnSync('sync');
  const load = loadavg()[0];
  const start = performance.now();
  const args = [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), CHILD, String(clusters), String(services), dir];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: Math.round(timeoutMs), maxBuffer: 1 << 20 });
  const childMs = performance.now() - start;
  rmSync(dir, { recursive: true, force: true });
  if (child.error || child.status !== 0) {
    const reason = child.error?.message.includes('ETIMEDOUT') || child.signal === 'SIGTERM' ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : child.stderr.trim().split('\n').slice(-3).join(' | ');
    return `${clusters}x${services}: ${reason}`;
  }
  return { ...(JSON.parse(child.stdout) as SizeResult), childMs, load };
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
  log('synth = Mesh.fromSpec + constructs + synthesizeMesh + analyzers + render + atomic writeTree, one fresh process per size (cold JIT)');
  log('floor = js-yaml dump (writer options) + writeFileSync of the same objects to the same paths, in the same process right after synth (warm JIT)');
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
    const result = runChild(clusters, services, matrixTmp, Math.max(remaining, 10_000), options.profile);
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
  return largest.childMs * (objects / largest.objects) * 1.2;
}

function growth(results: ReadonlyMap<string, Measured>): void {
  log('## Growth: factor per doubling = (t2/t1)^(1/log2(n2/n1)); 2.0 is linear, the target is <= 2.2');
  log('S doubles (C fixed): synth time factor, objects factor');
  let worst = 0;
  for (const clusters of CLUSTERS) {
    const cells: string[] = [];
    for (let i = 1; i < SERVICES.length; i++) {
      const a = results.get(`${clusters}x${SERVICES[i - 1]}`);
      const b = results.get(`${clusters}x${SERVICES[i]}`);
      if (!a || !b) continue;
      const factor = perDoubling(a.synthMs, b.synthMs, SERVICES[i - 1], SERVICES[i]);
      if (SERVICES[i - 1] >= 1000 || (SERVICES[i - 1] >= 100 && clusters >= 10)) worst = Math.max(worst, factor);
      cells.push(`S ${SERVICES[i - 1]}->${SERVICES[i]}: x${factor.toFixed(2)} (objects x${perDoubling(a.objects, b.objects, SERVICES[i - 1], SERVICES[i]).toFixed(2)})`);
    }
    if (cells.length) log(`  C=${clusters}: ${cells.join(', ')}`);
  }
  log('C doubles (S fixed): synth time factor, objects factor');
  for (const services of SERVICES) {
    const cells: string[] = [];
    for (let i = 1; i < CLUSTERS.length; i++) {
      const a = results.get(`${CLUSTERS[i - 1]}x${services}`);
      const b = results.get(`${CLUSTERS[i]}x${services}`);
      if (!a || !b) continue;
      const factor = perDoubling(a.synthMs, b.synthMs, CLUSTERS[i - 1], CLUSTERS[i]);
      if (services >= 1000) worst = Math.max(worst, factor);
      cells.push(`C ${CLUSTERS[i - 1]}->${CLUSTERS[i]}: x${factor.toFixed(2)} (objects x${perDoubling(a.objects, b.objects, CLUSTERS[i - 1], CLUSTERS[i]).toFixed(2)})`);
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
  if (factors.length > 0) log(`analyzer time per doubling of objects, S 1000 -> 5000: ${factors.join(', ')} (above 2.0: garbage collection in a larger heap, not the algorithm; per object the stage stays at 15-40 us at every size)`);
  log();
}

interface Headline {
  readonly objects: number;
  readonly synthMs: number;
  readonly floorMs: number;
  readonly peakRssMb: number;
}

/** The headline size on disk (the last line) and in memory; `fromMatrix` is its matrix run, reused for the matrix's filesystem. */
function headlineRuns(options: Options, diskTmp: string, memoryTmp: string | undefined, fromMatrix: Measured | undefined, started: number): Headline | undefined {
  const { clusters, services } = HEADLINE;
  log(`## Headline ${clusters} clusters x ${services} services: ${options.runs} fresh processes per filesystem, medians`);
  const summarize = (label: string, runs: readonly Measured[]) => {
    const synth = median(runs.map((r) => r.synthMs));
    const floor = median(runs.map((r) => r.floorMs));
    const rss = Math.max(...runs.map((r) => r.peakRssMb));
    log(`${label}: synth ${runs.map((r) => ms(r.synthMs)).join('/')} ms (median ${ms(synth)}), floor ${runs.map((r) => ms(r.floorMs)).join('/')} ms (median ${ms(floor)}), ratio ${(synth / floor).toFixed(2)}, peak RSS ${ms(rss)} MB`);
    const stages = (Object.keys(runs[0].stages) as (keyof SizeResult['stages'])[]).map((stage) => `${stage} ${ms(median(runs.map((r) => r.stages[stage])))}`);
    log(`  synth stages (medians, ms): ${stages.join(', ')}; load average ${runs.map((r) => r.load.toFixed(1)).join('/')}`);
    return { objects: runs[0].objects, synthMs: synth, floorMs: floor, peakRssMb: rss };
  };
  const collect = (tmp: string, reuse?: Measured) => {
    const runs: Measured[] = reuse ? [reuse] : [];
    while (runs.length < options.runs) {
      // Leave the CLI runs about 20 s of the budget.
      const left = options.budgetMs + HEADLINE_AND_CLI_MS - 20_000 - (performance.now() - started);
      if (left < 2 * (reuse?.childMs ?? fromMatrix?.childMs ?? 15_000)) {
        log(`note: ${tmp}: ${runs.length} run(s) only, the time budget is spent`);
        break;
      }
      const result = runChild(clusters, services, tmp, left);
      if (typeof result === 'string') {
        log(`note: ${result}`);
        break;
      }
      runs.push(result);
    }
    return runs;
  };
  // The last line reports the in-memory runs where there are any: on this kind of virtual disk the same file writes take
  // 0.7-3 s from run to run on both sides, which says nothing about synth; the disk runs show what a user's disk adds.
  const memoryRuns = memoryTmp ? collect(memoryTmp, fromMatrix) : [];
  const memory = memoryRuns.length > 0 ? summarize(`memory (${memoryTmp}: no disk I/O, the CPU cost alone; the last line)`, memoryRuns) : undefined;
  const diskRuns = collect(diskTmp, memoryTmp ? undefined : fromMatrix);
  const disk = diskRuns.length > 0 ? summarize(`disk (${diskTmp}${memory ? '' : '; the last line'})`, diskRuns) : undefined;
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const [label, result] of [['in memory', memory], ['on disk', disk]] as const) {
    if (!result) continue;
    log(`targets ${label}: synth within 2x the floor: ${met(result.synthMs <= 2 * result.floorMs)} (ratio ${(result.synthMs / result.floorMs).toFixed(2)}); peak RSS under 1 GiB: ${met(result.peakRssMb < 1024)} (${ms(result.peakRssMb)} MB)`);
  }
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
