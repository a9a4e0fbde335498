/**
 * A code cache changes how fast a generated file loads, never what it does: the module behaves the
 * same with its cache, with a cache made for other source, with a damaged cache and with none.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CODE_CACHE_SUFFIX, requireWithCodeCache, writeCodeCache } from '../../lib/io/code-cache';

const MODULE = `const { basename } = require('node:path');
exports.describe = (n) => basename(__filename) + ':' + (n % 2 === 0 ? 'even' : 'odd');
`;

describe('requireWithCodeCache', () => {
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

  const describeWith = (file: string) => (requireWithCodeCache(file) as { describe: (n: number) => string }).describe;

  it('loads a CommonJS file as require does, with or without its cache', () => {
    // GIVEN a module that requires a built-in and reads __filename, and its cache made after calling it
    const file = moduleFile();
    const before = describeWith(file);
    let exercised = '';
    writeCodeCache(file, (exports) => {
      exercised = (exports as { describe: (n: number) => string }).describe(2);
    });
    // WHEN it is loaded again from the cache
    const after = describeWith(file);
    // THEN both give what the source says, and the cache starts with the source's digest
    expect(exercised).toBe('generated.js:even');
    expect([before(1), before(2)]).toEqual(['generated.js:odd', 'generated.js:even']);
    expect([after(1), after(2)]).toEqual(['generated.js:odd', 'generated.js:even']);
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
    expect(describeWith(file)(2)).toBe('generated.js:EVEN');
    // GIVEN a cache whose digest matches but whose bytes are damaged
    writeCodeCache(file, () => undefined);
    const cache = readFileSync(`${file}${CODE_CACHE_SUFFIX}`);
    writeFileSync(`${file}${CODE_CACHE_SUFFIX}`, Buffer.concat([cache.subarray(0, 32), Buffer.alloc(cache.length - 32, 0x5a)]));
    // WHEN it is loaded THEN V8 rejects the cache and the module still works
    expect(describeWith(file)(3)).toBe('generated.js:odd');
  });
});
