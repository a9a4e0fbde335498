/**
 * Install-suite support: the bundled meshes' output as the previous release wrote it. The
 * fixture test/install/fixtures/bundled-meshes-bf51734.snap is `git show
 * bf51734:test/meshes/__snapshots__/bundled-meshes.test.ts.snap`, the whole-tree snapshot at
 * the last commit that changed the bundled inventories, kept as a file so that the suite needs
 * no Git history. It is read back into files: the snapshot holds each tree as vitest's
 * pretty-format of `{ path: content }` inside a template literal.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const PREVIOUS_RELEASE_SNAPSHOT = resolve(__dirname, '..', 'fixtures', 'bundled-meshes-bf51734.snap');

/** The files of one bundled mesh's previous output, e.g. for `apps/openshift/inventory.yaml`. */
export function previousReleaseTree(inventory: string): Map<string, string> {
  const snapshot = readFileSync(PREVIOUS_RELEASE_SNAPSHOT, 'utf8');
  const header = `exports[\`the bundled mesh ${inventory} > matches the snapshot of its whole output tree 1\`] = \``;
  const start = snapshot.indexOf(header);
  if (start < 0) throw new Error(`${PREVIOUS_RELEASE_SNAPSHOT} has no tree of ${inventory}`);
  const bodyStart = start + header.length;
  const body = snapshot.slice(bodyStart, snapshot.indexOf('\n`;\n', bodyStart));
  // The template literal escapes \\, ` and ${; vitest's pretty-format leaves each string as it is
  // (escapeString: false), so an entry runs from its `  "<path>": "` line to the next one's.
  const text = body.replace(/\\(\\|`|\$\{)/g, '$1');
  const starts = [...text.matchAll(/^ {2}"([\w./-]+\.(?:yaml|md))": "/gm)];
  const files = new Map<string, string>();
  starts.forEach((start, index) => {
    const from = start.index + start[0].length;
    const to = index + 1 < starts.length ? starts[index + 1]!.index : text.lastIndexOf('\n}');
    files.set(start[1]!, text.slice(from, to).replace(/",\n?$/, ''));
  });
  if (files.size === 0) throw new Error(`no file could be read from the tree of ${inventory} in ${PREVIOUS_RELEASE_SNAPSHOT}`);
  return files;
}
