/**
 * Vitest global setup: builds the package once per test run as `npm run build` does
 * (clean build/lib and build/constructs, `tsc -p tsconfig.build.json`, then the standalone schema validators), so that tests spawning `bin/cdk8s-istio-multicluster.js` run the real
 * compiled CLI in `build/`, never a stale or missing one (a fresh clone has no `build/`).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

export default function buildOnce(): void {
  const tsc = createRequire(resolve(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, ['scripts/clean-build.js'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
    execFileSync(process.execPath, ['scripts/compile-object-validators.js'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building the package (npm run build) failed, so the CLI tests cannot run:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
