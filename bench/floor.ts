/**
 * The floor: the final objects of a synth serialized with `js-yaml` `dump` (the writer's options)
 * and written with `writeFileSync` alone, to the same relative paths. This module imports only
 * node's `fs`/`path`/`v8` and js-yaml, so that a process that runs the floor on its own
 * (`floor-child.ts`) loads nothing of the product: its js-yaml code is as cold as synth's is in
 * a fresh synth process.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { dump } from 'js-yaml';

/** One file of the floor: an object serialized with js-yaml, or a text file written as is. */
export type FloorFile = readonly [path: string, content: object | string];

/**
 * Writes the same files with `js-yaml` `dump` (the writer's options) and `writeFileSync` alone,
 * into `outdir`. Returns the milliseconds taken.
 */
export function writeFloor(files: readonly FloorFile[], outdir: string): number {
  const start = performance.now();
  const made = new Set<string>();
  for (const [path, content] of files) {
    const file = join(outdir, path);
    const dir = dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, typeof content === 'string' ? content : dump(content, { lineWidth: -1, noRefs: true }));
  }
  return performance.now() - start;
}

/** Stores the floor's files (path -> object or text) with `v8.serialize`, for a fresh process to load. */
export function saveFloorFiles(files: readonly FloorFile[], file: string): void {
  writeFileSync(file, serialize(files));
}

/** Loads what `saveFloorFiles` stored. */
export function loadFloorFiles(file: string): FloorFile[] {
  return deserialize(readFileSync(file)) as FloorFile[];
}
