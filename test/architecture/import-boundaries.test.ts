/**
 * Layers only point down: model -> manifest -> constructs -> synthesis -> analyzers -> writer ->
 * pipeline -> CLI. Every import of every source file is checked against the table below, so
 * layering cannot rot silently. The table follows the folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/support';

type Module =
  | 'model'
  | 'errors'
  | 'generated'
  | 'istio-api'
  | 'manifest'
  | 'constructs'
  | 'presets'
  | 'synthesis'
  | 'analyzers'
  | 'io'
  | 'inventory'
  | 'writer'
  | 'pipeline'
  | 'api'
  | 'cli'
  | 'apps';

/** Which module a source file belongs to: the longest matching path prefix wins. */
const MODULE_OF_PATH: ReadonlyArray<readonly [string, Module]> = [
  ['lib/model/', 'model'],
  ['lib/errors.ts', 'errors'],
  ['lib/imports/', 'generated'],
  ['lib/istio/', 'istio-api'],
  ['lib/manifest/', 'manifest'],
  ['constructs/', 'constructs'],
  // Application presets (Bookinfo) build on the constructs; the constructs and the model know none.
  ['constructs/presets/', 'presets'],
  // One folder for synthesis: objects -> folders sits below the analyzers, the pipeline that runs them above.
  ['lib/synth/synthesize-mesh.ts', 'synthesis'],
  ['lib/synth/', 'pipeline'],
  ['lib/analyzers/', 'analyzers'],
  ['lib/inventory/', 'inventory'],
  ['lib/writer/', 'writer'],
  ['lib/io/', 'writer'],
  ['lib/io/read-regular-file.ts', 'io'],
  ['lib/io/package-root.ts', 'io'],
  ['lib/io/code-cache.ts', 'io'],
  ['lib/io/file-system-errors.ts', 'io'],
  ['lib/io/process-identity.ts', 'io'],
  ['lib/index.ts', 'api'],
  ['lib/cli/', 'cli'],
  ['apps/', 'apps'],
];

/** Module -> the modules of the project it may import (besides itself). Nothing may import the CLI. */
const ALLOWED: Readonly<Record<Module, readonly Module[]>> = {
  model: [],
  errors: ['model'],
  generated: [],
  'istio-api': ['generated', 'model'],
  manifest: ['model'],
  constructs: ['model', 'errors', 'generated', 'istio-api', 'manifest'],
  presets: ['model', 'errors', 'generated', 'istio-api', 'manifest', 'constructs'],
  synthesis: ['errors', 'constructs', 'manifest'],
  // 'io': the schemas and the code catalogue the analyzers read ship as files of the package.
  analyzers: ['model', 'manifest', 'io'],
  // Reading a bounded regular file, for the inventory loader and the tree reader alike; finding the package's own files; loading its generated modules from their code caches.
  io: [],
  // 'presets': the inventory's preset sections (`bookinfo:`) are read and checked by their presets.
  inventory: ['model', 'errors', 'io', 'presets'],
  writer: ['model', 'manifest', 'io'],
  pipeline: ['model', 'errors', 'constructs', 'presets', 'manifest', 'synthesis', 'analyzers', 'inventory', 'writer'],
  api: ['model', 'errors', 'generated', 'istio-api', 'manifest', 'constructs', 'presets', 'synthesis', 'analyzers', 'io', 'inventory', 'writer', 'pipeline'],
  cli: ['model', 'errors', 'manifest', 'io', 'inventory', 'analyzers', 'writer', 'pipeline'],
  apps: ['api'],
};

/** The packages (and Node built-ins) the lowest layers may use; the layers above are not restricted. */
const ALLOWED_PACKAGES: Partial<Record<Module, readonly string[]>> = {
  model: ['ajv', 'node:crypto', 'node:net'],
  errors: ['constructs'],
  manifest: ['js-yaml', 'node:crypto'],
  constructs: ['cdk8s', 'cdk8s-plus-27', 'constructs', 'js-yaml', 'node:net'],
  presets: ['constructs'],
};

const SOURCE_ROOTS = ['lib', 'constructs', 'apps'];

function moduleOf(path: string): Module | undefined {
  const matches = MODULE_OF_PATH.filter(([prefix]) => path === prefix || path.startsWith(prefix));
  return matches.sort(([a], [b]) => b.length - a.length)[0]?.[1];
}

function sourceFiles(root: string): string[] {
  return readdirSync(join(REPO_ROOT, root), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The project file a relative import names (`./x` -> `x.ts` or `x/index.ts`). */
function resolveImport(from: string, specifier: string, files: ReadonlySet<string>): string {
  const base = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(from), specifier)).split(sep).join('/');
  const candidate = [`${base}.ts`, `${base}/index.ts`].find((path) => files.has(path));
  if (candidate === undefined) throw new Error(`${from}: cannot resolve import "${specifier}"`);
  return candidate;
}

/** Every import that breaks the table, as `<file> (<module>) imports <target> (<module>)`. */
function violations(sources: ReadonlyMap<string, string>): string[] {
  const files = new Set(sources.keys());
  const problems: string[] = [];
  for (const [file, text] of sources) {
    const from = moduleOf(file);
    if (from === undefined) {
      problems.push(`${file} belongs to no module; add it to MODULE_OF_PATH`);
      continue;
    }
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!specifier.startsWith('.')) {
        const allowedPackages = ALLOWED_PACKAGES[from];
        const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (allowedPackages !== undefined && !allowedPackages.includes(packageName)) problems.push(`${file} (${from}) imports the package ${packageName}`);
        continue;
      }
      const target = resolveImport(file, specifier, files);
      const to = moduleOf(target);
      if (to !== from && (to === undefined || !ALLOWED[from].includes(to))) problems.push(`${file} (${from}) imports ${target} (${to ?? 'no module'})`);
    }
  }
  return problems;
}

describe('import boundaries', () => {
  const sources = new Map(SOURCE_ROOTS.flatMap(sourceFiles).map((file) => [file, readFileSync(join(REPO_ROOT, file), 'utf8')]));

  it('holds for every import of lib/, constructs/ and apps/', () => {
    // GIVEN every source file WHEN its imports are checked against the table THEN none breaks it
    expect(sources.size).toBeGreaterThan(50);
    expect(violations(sources)).toEqual([]);
  });

  it('catches an upward import, an import of the CLI and a foreign package', () => {
    // GIVEN the sources plus files that break each rule
    const broken = new Map(sources);
    broken.set('lib/model/upward.ts', "import { IstioMesh } from '../../constructs/istio-mesh';\n");
    broken.set('lib/writer/cli-user.ts', "import { main } from '../cli/main';\n");
    broken.set('constructs/http.ts', "import { request } from 'node:http';\n");
    broken.set('lib/stray.ts', 'export const x = 1;\n');
    // WHEN checked THEN each is named
    expect(violations(broken).sort()).toEqual([
      'constructs/http.ts (constructs) imports the package node:http',
      'lib/model/upward.ts (model) imports constructs/istio-mesh.ts (constructs)',
      'lib/stray.ts belongs to no module; add it to MODULE_OF_PATH',
      'lib/writer/cli-user.ts (writer) imports lib/cli/main.ts (cli)',
    ]);
  });

  it('lets nothing import the CLI', () => {
    // GIVEN the table THEN no module may import the CLI
    expect(Object.entries(ALLOWED).filter(([, allowed]) => allowed.includes('cli'))).toEqual([]);
  });
});
