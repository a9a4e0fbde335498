/**
 * The upstream data (Istio's charts and CRDs, the Sail operator's CRDs) is found through one
 * place, `test/support/upstream.ts`: the folder `CDK8S_ISTIO_UPSTREAM_DIR` names, else
 * `../shared/upstream`. Without it the tests that read it are skipped with one line saying what is
 * missing and how to get it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * The two other spellings, each of the same rule: `npm run import` runs a plain Node module that
 * cannot load upstream.ts, and the schema generator writes the default folder's name (not this
 * machine's) into the generated file.
 */
const KNOWN_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  'scripts/import-istio.mjs': ["process.env.CDK8S_ISTIO_UPSTREAM_DIR ?? '../shared/upstream'"],
  'scripts/generate-object-schemas.ts': ["name: ['../shared/upstream', ...upstreamParts].join('/')"],
};

/** Every TypeScript and JavaScript file under a folder. */
function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' || entry === 'fixtures' ? [] : sources(path);
    return /\.(?:ts|js|mjs)$/.test(entry) ? [path] : [];
  });
}

/** The module fresh, so that it reads the environment again. */
async function freshUpstream(): Promise<typeof import('./upstream')> {
  vi.resetModules();
  return import('./upstream');
}

describe('the upstream data', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('GIVEN the tests, the scripts and the support files WHEN read THEN none names the data folder in code but test/support/upstream.ts (and the two scripts that spell the same rule)', () => {
    const files = [...sources(join(REPO_ROOT, 'test')), ...sources(join(REPO_ROOT, 'scripts'))].filter((file) => file !== join(__dirname, 'upstream.ts') && file !== __filename);
    // A string literal naming the folder, `'../shared/upstream'` or `'shared', 'upstream'`; comments may name it.
    const literal = /['"](?:\.\.\/)*shared\/upstream|['"]shared['"]\s*,\s*['"]upstream['"]/;
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(?:\*|\/\/)/.test(line) && literal.test(line))
        .filter((line) => !KNOWN_SPELLINGS[relative(REPO_ROOT, file)]?.some((known) => line.includes(known)))
        .map((line) => `${relative(REPO_ROOT, file)}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('GIVEN CDK8S_ISTIO_UPSTREAM_DIR naming an empty folder WHEN the tests look for the data THEN it is missing, and the one line names the folder, what is skipped and how to fetch it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-upstream-'));
    try {
      vi.stubEnv('CDK8S_ISTIO_UPSTREAM_DIR', empty);
      const upstream = await freshUpstream();
      expect(upstream.UPSTREAM_DIR).toBe(empty);
      expect(upstream.HAS_UPSTREAM).toBe(false);
      expect(upstream.MISSING_UPSTREAM_FOLDERS).toEqual(upstream.UPSTREAM_FOLDERS);
      const message = upstream.missingUpstreamMessage();
      expect(message).toContain(`upstream data missing in ${empty} (istio, istio-1.24.6`);
      expect(message).toContain('are skipped; fetch it with `npm run fetch:upstream` (network needed) or set CDK8S_ISTIO_UPSTREAM_DIR');
      expect(message).not.toContain('\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('GIVEN no CDK8S_ISTIO_UPSTREAM_DIR WHEN the folder is chosen THEN it is ../shared/upstream beside the clone', async () => {
    vi.stubEnv('CDK8S_ISTIO_UPSTREAM_DIR', undefined);
    delete process.env.CDK8S_ISTIO_UPSTREAM_DIR;
    const upstream = await freshUpstream();
    expect(upstream.UPSTREAM_DIR).toBe(resolve(REPO_ROOT, '..', 'shared', 'upstream'));
  });

  it('GIVEN this machine WHEN the data is looked for THEN it is all there, so nothing is skipped here', async () => {
    // The machines of this project hold the data; CI fails (test/support/global-setup.ts) when it is missing.
    const upstream = await freshUpstream();
    expect(upstream.MISSING_UPSTREAM_FOLDERS, upstream.HAS_UPSTREAM ? '' : upstream.missingUpstreamMessage()).toEqual([]);
  });
});
