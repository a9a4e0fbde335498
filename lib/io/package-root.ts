import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGE_NAME = 'cdk8s-istio-multicluster';

let root: string | undefined;

/**
 * The folder of this package's package.json: two folders up from lib/io/ when run from source,
 * three from build/lib/io/ when compiled. Files the package ships beside the code (the schema
 * bundle, the analyzer catalogue) are found from here.
 */
export function packageRoot(): string {
  root ??= [join(__dirname, '..', '..'), join(__dirname, '..', '..', '..')].find(isPackageRoot);
  if (!root) throw new Error(`cannot find the ${PACKAGE_NAME} package folder above ${__dirname}`);
  return root;
}

/** A file shipped in the package, by its path from the package root. */
export function packageFile(...path: string[]): string {
  return join(packageRoot(), ...path);
}

function isPackageRoot(folder: string): boolean {
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
