/**
 * Vitest global setup: builds the package once per test run as `npm run build` does
 * (clean build/lib and build/constructs, `tsc -p tsconfig.build.json`, then the standalone schema validators), so that tests spawning `bin/cdk8s-istio-multicluster.js` run the real
 * compiled CLI in `build/`, never a stale or missing one (a fresh clone has no `build/`).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { HAS_UPSTREAM, missingUpstreamMessage } from './upstream';

const REPO_ROOT = resolve(__dirname, '..', '..');

export default function globalSetup(): void {
  checkUpstreamData();
  buildOnce();
}

/**
 * Says once why the tests that read upstream data are skipped; under CI (`CI=true`, which CI
 * services set and `.ci/run` exports) a missing folder fails the run, so nothing is skipped there.
 */
function checkUpstreamData(): void {
  if (HAS_UPSTREAM) return;
  if (process.env.CI === 'true') throw new Error(`${missingUpstreamMessage()}. CI=true: every test must run, so the run fails.`);
  process.stderr.write(`note: ${missingUpstreamMessage()}\n`);
}

function buildOnce(): void {
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
