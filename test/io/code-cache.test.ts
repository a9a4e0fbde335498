/**
 * A code cache changes how fast a generated file loads, never what it does: the module behaves the
 * same with its cache, with a cache made for other source, with a damaged cache and with none, and
 * V8 takes the cache only when it was made for that source. Loads run in fresh processes (through
 * the built module, as the package runs it), since V8 also keeps a process's own compilations.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CODE_CACHE_SUFFIX, writeCodeCache } from '../../lib/io/code-cache';

const BUILT_MODULE = resolve(__dirname, '..', '..', 'build', 'lib', 'io', 'code-cache.js');

const MODULE = `const { basename } = require('node:path');
exports.describe = (n) => basename(__filename) + ':' + (n % 2 === 0 ? 'even' : 'odd');
`;

/** Loads the file with `loadWithCodeCache` in a fresh process: whether the cache was taken, and what the module answers. */
function loadInFreshProcess(file: string): { readonly fromCodeCache: boolean; readonly answers: readonly string[] } {
  const script = `const { loadWithCodeCache } = require(${JSON.stringify(BUILT_MODULE)});
const { exports, fromCodeCache } = loadWithCodeCache(${JSON.stringify(file)});
process.stdout.write(JSON.stringify({ fromCodeCache, answers: [exports.describe(1), exports.describe(2)] }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { fromCodeCache: boolean; answers: string[] };
}

describe('loadWithCodeCache', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  function moduleFile(source = MODULE): string {
    const folder = mkdtempSync(join(tmpdir(), 'code-cache-'));
    folders.push(folder);
    const file = join(folder, 'generated.js');
    writeFileSync(file, source);
    return file;
  }

  it('loads a CommonJS file as require does, from its cache once there is one', () => {
    // GIVEN a module that requires a built-in and reads __filename
    const file = moduleFile();
    const before = loadInFreshProcess(file);
    // WHEN its cache is written, after calling it, and it is loaded again
    let exercised = '';
    writeCodeCache(file, (exports) => {
      exercised = (exports as { describe: (n: number) => string }).describe(2);
    });
    const after = loadInFreshProcess(file);
    // THEN both answer what the source says, the second from the cache, which starts with the source's digest
    expect(exercised).toBe('generated.js:even');
    expect(before).toEqual({ fromCodeCache: false, answers: ['generated.js:odd', 'generated.js:even'] });
    expect(after).toEqual({ fromCodeCache: true, answers: ['generated.js:odd', 'generated.js:even'] });
    expect(readFileSync(`${file}${CODE_CACHE_SUFFIX}`).length).toBeGreaterThan(32);
  });

  it('ignores a cache made for other source of the same length, and a damaged one', () => {
    // GIVEN a cache written for one source, then the source replaced by another of the same length
    const file = moduleFile();
    writeCodeCache(file, () => undefined);
    const changed = MODULE.replace("'even'", "'EVEN'");
    expect(changed.length).toBe(MODULE.length);
    writeFileSync(file, changed);
    // WHEN it is loaded THEN the new source runs, not the cached bytecode
    expect(loadInFreshProcess(file)).toEqual({ fromCodeCache: false, answers: ['generated.js:odd', 'generated.js:EVEN'] });
    // GIVEN a cache whose digest matches but whose bytes are damaged
    writeCodeCache(file, () => undefined);
    const cache = readFileSync(`${file}${CODE_CACHE_SUFFIX}`);
    writeFileSync(`${file}${CODE_CACHE_SUFFIX}`, Buffer.concat([cache.subarray(0, 32), Buffer.alloc(cache.length - 32, 0x5a)]));
    // WHEN it is loaded THEN V8 rejects the cache and the module still works
    expect(loadInFreshProcess(file)).toEqual({ fromCodeCache: false, answers: ['generated.js:odd', 'generated.js:EVEN'] });
  });

  it('takes the caches npm run build writes for the schema validators', () => {
    // GIVEN the build's Deployment validator and its cache WHEN it is loaded in a fresh process THEN V8 takes the cache
    const validator = resolve(__dirname, '..', '..', 'build', 'lib', 'analyzers', 'object-validators', 'model.apps.v1.Deployment.js');
    const script = `const { loadWithCodeCache } = require(${JSON.stringify(BUILT_MODULE)});
const { exports, fromCodeCache } = loadWithCodeCache(${JSON.stringify(validator)});
process.stdout.write(JSON.stringify({ fromCodeCache, validates: typeof exports.validate }));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual({ fromCodeCache: true, validates: 'function' });
  });
});
