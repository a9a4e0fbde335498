/**
 * The code the README and the docs pages print works as printed: every TypeScript block
 * type-checks against the package's API, every block that is a program (it imports the package
 * and is no test file) runs and synthesizes with no error finding, and every inventory the README
 * prints synthesizes with no error finding.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runMain, tempDirs } from '../cli/support';

const REPO_ROOT = resolve(__dirname, '..', '..');
const PACKAGE = 'cdk8s-istio-multicluster';
const PACKAGE_ENTRY = join(REPO_ROOT, 'lib', 'index.ts');
/** Inside the repository, so the blocks resolve cdk8s and constructs from its node_modules. */
const BLOCKS_DIR = join(REPO_ROOT, '.tmp', `doc-blocks-${process.pid}`);
const dir = tempDirs('doc-blocks-');
afterAll(() => rmSync(BLOCKS_DIR, { recursive: true, force: true }));

interface CodeBlock {
  readonly page: string;
  /** The block's first line in the page, 1-based. */
  readonly line: number;
  readonly language: string;
  readonly code: string;
}

/** The fenced code blocks of a Markdown page. */
function codeBlocks(page: string): CodeBlock[] {
  const text = readFileSync(join(REPO_ROOT, page), 'utf8');
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({
    page,
    line: text.slice(0, match.index).split('\n').length,
    language: match[1],
    code: match[2],
  }));
}

const PAGES = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((file) => file.endsWith('.md')).sort().map((file) => `docs/${file}`)];
const TS_BLOCKS = PAGES.flatMap(codeBlocks).filter((block) => block.language === 'ts' || block.language === 'typescript');
const imports = (block: CodeBlock, module: string) => new RegExp(`from '${module}'`).test(block.code);
/** Programs: they use the package and are no test file (those run under a test runner). */
const PROGRAMS = TS_BLOCKS.filter((block) => imports(block, PACKAGE) && !imports(block, 'vitest'));
const name = (block: CodeBlock) => `${block.page}:${block.line}`;

/** Writes the block as a module of its own, importing the package from this clone's sources. */
function writeBlock(block: CodeBlock, index: number): string {
  mkdirSync(BLOCKS_DIR, { recursive: true });
  const file = join(BLOCKS_DIR, `block-${index}.ts`);
  writeFileSync(file, block.code.replaceAll(`from '${PACKAGE}'`, `from '${PACKAGE_ENTRY.replace(/\.ts$/, '')}'`));
  return file;
}

describe('code blocks of README.md and docs/', () => {
  it('GIVEN the pages WHEN their blocks are listed THEN the README holds a program (the list cannot be empty by mistake)', () => {
    expect(PROGRAMS.map((block) => block.page)).toContain('README.md');
  });

  it('GIVEN every TypeScript block WHEN type-checked strictly against the package THEN none has an error', () => {
    const files = TS_BLOCKS.map((block, index) => writeBlock(block, index));
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      types: ['node'],
    };
    const program = ts.createProgram(files, options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file === undefined || files.includes(resolve(diagnostic.file.fileName)))
      .map((diagnostic) => {
        const where = diagnostic.file ? TS_BLOCKS[files.indexOf(resolve(diagnostic.file.fileName))] : undefined;
        const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : 0;
        return `${where ? `${where.page}:${where.line + 1 + line}` : '(no file)'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 180_000);

  it.each(PROGRAMS.map((block) => ({ block, name: name(block) })))('GIVEN the program at $name WHEN it runs THEN it writes a mesh with no error finding', async ({ block }) => {
    const out = join(dir(), 'dist');
    const file = writeBlock(block, TS_BLOCKS.indexOf(block) + TS_BLOCKS.length);
    const printed: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    vi.stubEnv('CDK8S_OUTDIR', out);
    try {
      await import(file);
    } finally {
      stderr.mockRestore();
      vi.unstubAllEnvs();
    }
    // THEN no finding it printed is an error, and the tree holds what its README names
    expect(printed.join('').split('\n').filter((line) => line.startsWith('error'))).toEqual([]);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readdirSync(join(out, 'clusters')).length).toBeGreaterThan(1);
    if (readme.includes('`install/`')) expect(existsSync(join(out, 'install', 'README.md')), 'README.md names install/, which must be written').toBe(true);
  });

  it.each(codeBlocks('README.md').filter((block) => block.language === 'yaml' && /^clusters:/m.test(block.code)).map((block) => ({ block, name: name(block) })))(
    'GIVEN the inventory at $name WHEN synthesized THEN it passes with no error finding',
    ({ block }) => {
      const folder = dir();
      writeFileSync(join(folder, 'inventory.yaml'), block.code);
      const result = runMain(['synth', '-i', join(folder, 'inventory.yaml'), '-o', join(folder, 'dist')]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('\n0 errors, 0 warnings');
    },
  );
});
