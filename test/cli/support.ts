/**
 * Helpers for the CLI tests. `cli` runs the CLI in this process through `main(argv, io)`, in a
 * working folder and environment as a user's shell would give it; `cliProcess` runs the real,
 * compiled bin as a child process, only where the process boundary is what a test checks (exit
 * codes through the bin, signals, a terminal, a closed stdout, the packaged bin). The package is
 * compiled by test/support/global-setup.ts when a file that spawns the bin is in the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { dump, load, loadAll } from 'js-yaml';
import { afterAll, expect } from 'vitest';
import { main } from '../../lib/cli/main';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'cdk8s-istio-multicluster.js');
export const PACKAGE_JSON = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** The bundled example inventories. */
export const INVENTORIES = {
  openshift: join(REPO_ROOT, 'apps', 'openshift', 'inventory.yaml'),
  hybrid: join(REPO_ROOT, 'apps', 'hybrid', 'inventory.yaml'),
} as const;

/** An escape sequence of the kind the CLI colours with. */
export const ANSI_ESCAPE = /\u001b\[/;
/** One frame of a Node stack trace (`    at fn (file.js:1:2)`). */
export const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
export const USAGE_HEADER = 'Usage: cdk8s-istio-multicluster <command> [options]';
export const SYNTH_USAGE_HEADER = 'Usage: cdk8s-istio-multicluster synth --inventory FILE [options]';
export const VALIDATE_USAGE_HEADER = 'Usage: cdk8s-istio-multicluster validate DIR [options]';

export interface ProcessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Added to (or, when undefined, removed from) the colourless environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeout?: number;
}

/** The test's environment without the switches that turn colour on or off: the CLI must decide by itself. */
export function colourlessEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CLICOLOR', 'CLICOLOR_FORCE']) delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs a program to completion; fails the test when it cannot be started at all. */
export function run(command: string, args: readonly string[], options: RunOptions): ProcessResult {
  const result = spawnSync(command, [...args], {
    cwd: options.cwd,
    env: colourlessEnv(options.env),
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} ${args.join(' ')} could not run: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs the compiled CLI through its bin as a child process with stdout and stderr on pipes. Pipes
 * are no terminal, so every run also asserts that the output carries no colour.
 */
export function cliProcess(args: readonly string[], options: RunOptions): ProcessResult {
  return withoutColour(run(process.execPath, [BIN, ...args], options));
}

/**
 * Runs the CLI in this process through `main(argv, io)` as the bin runs it on pipes (no colour,
 * asserted): in `options.cwd`, with `options.env` applied to the environment (an undefined value
 * removes the variable), both restored afterwards.
 */
export function cli(args: readonly string[], options: RunOptions): ProcessResult {
  return withoutColour(inFolder(options, () => runMain(args)));
}

function withoutColour(result: ProcessResult): ProcessResult {
  expect(result.stdout, 'stdout is a pipe: no colour').not.toMatch(ANSI_ESCAPE);
  expect(result.stderr, 'stderr is a pipe: no colour').not.toMatch(ANSI_ESCAPE);
  return result;
}

/** Runs `step` with the working folder and environment of `options`, restoring both after it. */
function inFolder<T>({ cwd, env = {} }: RunOptions, step: () => T): T {
  const previousCwd = process.cwd();
  const previousEnv = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const assign = (values: Readonly<Record<string, string | undefined>>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  // process.chdir needs a process of its own per test file: vitest.config.mts keeps the forks pool.
  process.chdir(cwd);
  assign(env);
  try {
    return step();
  } finally {
    assign(previousEnv);
    process.chdir(previousCwd);
  }
}

/** Runs the CLI in this process through `main(argv, io)`, collecting what it prints; no colour. */
export function runMain(args: readonly string[]): ProcessResult {
  let stdout = '';
  let stderr = '';
  const status = main(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), color: false });
  return { status, stdout, stderr };
}

/** A fresh folder under one root per test file; the root is removed after the file's tests. */
export function tempDirs(prefix: string): (name?: string) => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let counter = 0;
  return (name = 'dir') => {
    const dir = join(root, `${name}-${counter++}`);
    mkdirSync(dir);
    return dir;
  };
}

/** Every file under `dir` (dot files included) as relative POSIX path -> bytes, in path order. */
export function snapshotTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path).split(sep).join('/'), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/** Asserts two trees hold the same files with the same bytes, naming the paths that differ. */
export function expectSameTree(actual: ReadonlyMap<string, Buffer>, expected: ReadonlyMap<string, Buffer>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  const differing = [...expected].filter(([path, bytes]) => !actual.get(path)?.equals(bytes)).map(([path]) => path);
  expect(differing, 'files whose bytes differ').toEqual([]);
}

/** Writes a file (text, or an object such as an inventory dumped as YAML), creating its folder; returns its path. */
export function writeFile(dir: string, name: string, content: string | object): string {
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : dump(content));
  return file;
}

/** The cluster names an inventory file declares, in order. */
export function inventoryClusters(file: string): string[] {
  return (load(readFileSync(file, 'utf8')) as { clusters: { name: string }[] }).clusters.map((cluster) => cluster.name);
}

/** The `resources` a folder's kustomization.yaml lists. */
export function kustomizationResources(folder: string): string[] {
  return (load(readFileSync(join(folder, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources;
}

/** Adds a file to the `resources` of a folder's kustomization.yaml, as a user does who adds a manifest. */
export function listResource(folder: string, file: string): void {
  const path = join(folder, 'kustomization.yaml');
  const kustomization = load(readFileSync(path, 'utf8')) as { resources: string[] };
  writeFileSync(path, dump({ ...kustomization, resources: [...kustomization.resources, file] }));
}

/** The non-empty YAML documents of a multi-document stream. */
export function yamlDocuments(text: string): unknown[] {
  return loadAll(text).filter((document) => document !== null && document !== undefined);
}

/** A folder from `dir` holding `dist/` synthesized from the OpenShift example (ocp-east is the control plane). */
export function synthesizedOpenShift(dir: () => string): string {
  const cwd = dir();
  expect(cli(['synth', '--inventory', INVENTORIES.openshift], { cwd }).status).toBe(0);
  return cwd;
}

/** Replaces text in one file of a tree, failing when the text is not there (so the edit really happens). */
export function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}
