import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every file under a folder (the output marker included) as relative path -> bytes, sorted by path. */
export function readFiles(dir: string): Map<string, Buffer> {
  const files: [string, Buffer][] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push([relative(dir, path).split(sep).join('/'), readFileSync(path)]);
    }
  };
  walk(dir);
  return new Map(files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** sha256 over the sorted paths and contents of a tree: `path NUL length NUL content` per file. */
export function hashFiles(files: ReadonlyMap<string, string | Buffer>): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const content = files.get(path)!;
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    hash.update(`${path}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** The hash of a folder on disk, as `hashFiles` computes it. */
export function hashTree(dir: string): string {
  return hashFiles(readFiles(dir));
}
