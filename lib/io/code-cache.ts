import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * V8 code caches for the large generated CommonJS files the package ships (the standalone schema
 * validators, hundreds of KB each). `require` parses such a file whole and compiles each function
 * the first time it runs, which in a fresh process costs more than the checks themselves. The
 * build writes `<file>.v8-cache` beside each one, after running it on sample objects, and
 * `loadWithCodeCache` loads the file from it: V8 then takes the compiled bytecode as is. A cache
 * starts with the SHA-256 of the source it was made from and is used only for that source (V8's own
 * check compares lengths only); V8 rejects one written by another Node version. Without a usable
 * cache the file compiles as `require` would compile it: the cache changes how fast a file loads,
 * never what it does.
 */
export const CODE_CACHE_SUFFIX = '.v8-cache';

/** A CommonJS file loaded by `loadWithCodeCache`. */
export interface LoadedModule {
  readonly exports: unknown;
  /** Whether V8 took the compiled code from the file's cache (false: compiled from source). */
  readonly fromCodeCache: boolean;
}

/** Loads a CommonJS file as `require` does (its own `require` resolves from its folder), compiled from its code cache when V8 accepts it. */
export function loadWithCodeCache(file: string): LoadedModule {
  const source = readFileSync(file, 'utf8');
  const cacheFile = `${file}${CODE_CACHE_SUFFIX}`;
  const cache = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const digest = sourceDigest(source);
  const usable = cache !== undefined && cache.length > digest.length && cache.subarray(0, digest.length).equals(digest);
  const script = compile(source, file, usable ? cache.subarray(digest.length) : undefined);
  return { exports: run(script, file), fromCodeCache: usable && !script.cachedDataRejected };
}

/**
 * Compiles a CommonJS file, runs it, hands its exports to `exercise` (which calls what a typical
 * run calls, so that their bytecode is in the cache too), and writes its code cache. For the build.
 */
export function writeCodeCache(file: string, exercise: (exports: unknown) => void): void {
  const source = readFileSync(file, 'utf8');
  const script = compile(source, file, undefined);
  exercise(run(script, file));
  writeFileSync(`${file}${CODE_CACHE_SUFFIX}`, Buffer.concat([sourceDigest(source), script.createCachedData()]));
}

function sourceDigest(source: string): Buffer {
  return createHash('sha256').update(source).digest();
}

function compile(source: string, file: string, cachedData: Buffer | undefined): Script {
  // The wrapper Node puts around a CommonJS module.
  return new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: file, cachedData });
}

function run(script: Script, file: string): unknown {
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}
