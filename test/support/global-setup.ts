/**
 * Vitest global setup: builds the package as `npm run build` does (clean build/lib and
 * build/constructs, `tsc -p tsconfig.build.json`, then the standalone schema validators), so that
 * the tests that spawn `bin/cdk8s-istio-multicluster.js` or read build/ run the real compiled CLI,
 * never a stale or missing one (a fresh clone has no `build/`). The build is skipped when build/
 * was made by this setup from the same inputs (their digest is kept in build/.inputs.sha256, which
 * `npm run build` removes): a rerun without source changes does not compile the package again.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
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

/** What the build reads: the sources it compiles, its configuration and scripts, what the validators' code cache is made from, and the compilers. */
const BUILD_INPUTS = ['lib', 'constructs', 'schemas', 'apps', 'scripts/clean-build.js', 'scripts/compile-object-validators.js', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const BUILD_TOOLS = ['typescript', 'ajv'];
/** Written after a build by this setup; scripts/clean-build.js removes it, so any other build makes the next run build again. */
const INPUTS_DIGEST_FILE = join(REPO_ROOT, 'build', '.inputs.sha256');

/** The SHA-256 of every build input's path and bytes, the Node version (the code cache is V8's) and the compilers' versions. */
function buildInputsDigest(): string {
  const hash = createHash('sha256').update(`node ${process.version}\n`);
  const require = createRequire(resolve(REPO_ROOT, 'package.json'));
  for (const tool of BUILD_TOOLS) hash.update(`${tool} ${(JSON.parse(readFileSync(require.resolve(`${tool}/package.json`), 'utf8')) as { version: string }).version}\n`);
  const add = (path: string) => {
    const full = join(REPO_ROOT, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) add(relative(REPO_ROOT, join(full, entry)));
      return;
    }
    hash.update(`${path}\0`).update(readFileSync(full)).update('\0');
  };
  for (const input of BUILD_INPUTS) add(input);
  return hash.digest('hex');
}

function buildOnce(): void {
  const digest = buildInputsDigest();
  if (existsSync(join(REPO_ROOT, 'build', 'lib', 'cli', 'main.js')) && existsSync(INPUTS_DIGEST_FILE) && readFileSync(INPUTS_DIGEST_FILE, 'utf8') === digest) return;
  rmSync(INPUTS_DIGEST_FILE, { force: true });
  const tsc = createRequire(resolve(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, ['scripts/clean-build.js'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
    execFileSync(process.execPath, ['scripts/compile-object-validators.js'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building the package (npm run build) failed, so the CLI tests cannot run:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  writeFileSync(INPUTS_DIGEST_FILE, digest);
}
