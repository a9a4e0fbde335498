/**
 * Every path a README names exists in the tree it describes: the generated `README.md` and
 * `install/README.md` of each bundled mesh in each GitOps mode, and each bundled app's README
 * against the trees of its inventories. A path is what a command or a code span names under an
 * output folder (`clusters/...`, `control-plane/...`, `install/...`, `gitops/...`, with or
 * without `dist/`), and, in an app's README, a file name in a code span; placeholders
 * (`clusters/<remote>`) stand for no one path and are skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../lib/cli/main';
import { REPO_ROOT, snapshotTree, tempDirs } from '../cli/support';

const dir = tempDirs('readme-paths-');
const QUIET: CliIo = { stdout: () => undefined, stderr: () => undefined, color: false };
const REPO = 'https://github.com/example/mesh-config.git';
const APPS = join(REPO_ROOT, 'apps');

/** A path under an output folder, not inside a longer word or URL. */
const TREE_PATH = /(?<![A-Za-z0-9._/-])(?:dist\/)?((?:clusters|control-plane|install|gitops)\/[A-Za-z0-9._%~<>/-]*)/g;
/** A file name alone in a code span. */
const FILE_NAME = /`([A-Za-z0-9._-]+\.(?:yaml|md))`/g;

/** The tree-relative paths a README names, without a trailing `/` or sentence punctuation. */
function treePaths(text: string): string[] {
  return [...new Set([...text.matchAll(TREE_PATH)].map((match) => match[1].replace(/[.]+$/, '').replace(/\/+$/, '')))].filter((path) => !path.includes('<'));
}

/** Whether a tree (relative file path -> content) holds the path as a file or a folder. */
function holds(tree: ReadonlyMap<string, Buffer>, path: string): boolean {
  return tree.has(path) || [...tree.keys()].some((file) => file.startsWith(`${path}/`));
}

/** The inventories of an app folder. */
function inventoriesOf(app: string): string[] {
  return readdirSync(join(APPS, app)).filter((file) => /^inventory.*\.yaml$/.test(file)).map((file) => join(APPS, app, file));
}

/** The GitOps modes an inventory synthesizes in: Argo CD cannot fill Flux's `${VAR}` placeholders. */
function gitopsModes(inventory: string): (readonly string[])[] {
  const flags = (tool: string) => ['--gitops', tool, '--repo-url', REPO];
  return readFileSync(inventory, 'utf8').includes('flux-substitution') ? [[], flags('flux')] : [[], flags('argocd'), flags('flux')];
}

function synth(inventory: string, flags: readonly string[]): ReadonlyMap<string, Buffer> {
  const out = join(dir(), 'dist');
  expect(main(['synth', '-i', inventory, '-o', out, ...flags], QUIET), `${inventory} ${flags.join(' ')}`).toBe(0);
  return snapshotTree(out);
}

const BUNDLED = ['openshift/inventory.yaml', 'openshift/inventory-sail.yaml', 'hybrid/inventory.yaml'].flatMap((inventory) =>
  gitopsModes(join(APPS, inventory)).map((flags) => ({ name: `${inventory} ${flags.slice(0, 2).join(' ') || 'without --gitops'}`, inventory: join(APPS, inventory), flags })));

describe('paths named by READMEs', () => {
  it.each(BUNDLED)('GIVEN $name WHEN synthesized THEN every path README.md and install/README.md name exists in the tree', ({ inventory, flags }) => {
    const tree = synth(inventory, flags);
    for (const readme of ['README.md', 'install/README.md'].filter((file) => tree.has(file))) {
      const paths = treePaths(tree.get(readme)!.toString('utf8'));
      expect(paths.length, readme).toBeGreaterThan(0);
      expect(paths.filter((path) => !holds(tree, path)), `paths ${readme} names that the tree lacks`).toEqual([]);
    }
  });

  it.each(readdirSync(APPS).filter((app) => existsSync(join(APPS, app, 'README.md'))))(
    'GIVEN apps/%s/README.md WHEN its inventories are synthesized in every GitOps mode THEN each path it names exists in one of their trees or in the app folder',
    (app) => {
      const text = readFileSync(join(APPS, app, 'README.md'), 'utf8');
      const trees = inventoriesOf(app).flatMap((inventory) => gitopsModes(inventory).map((flags) => synth(inventory, flags)));
      const missing = treePaths(text).filter((path) => !trees.some((tree) => holds(tree, path)));
      expect(missing, `paths apps/${app}/README.md names that no tree holds`).toEqual([]);
      const names = [...new Set([...text.matchAll(FILE_NAME)].map((match) => match[1]))];
      const known = new Set([...readdirSync(join(APPS, app)), ...trees.flatMap((tree) => [...tree.keys()].map((path) => basename(path)))]);
      expect(names.filter((name) => !known.has(name)), `file names apps/${app}/README.md names that neither its folder nor a tree holds`).toEqual([]);
    },
  );
});
