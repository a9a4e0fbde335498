/**
 * Fetches the upstream data the tests compare against (`npm run fetch:upstream`), at the pins of
 * test/support/upstream.ts, into the folder it names (CDK8S_ISTIO_UPSTREAM_DIR, else
 * ../shared/upstream), in the layout the tests read:
 *
 * - `istio-<release>/manifests/charts/<folder>`: each chart by `helm pull <chart> --repo
 *   https://istio-release.storage.googleapis.com/charts --version <release> --untar` (the packaged
 *   chart `helm install istio/<chart>` installs), put where istio/istio's tree has it
 *   (`istiod` in `istio-control/istio-discovery`, `cni` in `istio-cni`);
 *   `istio-<release>/samples/multicluster/*` from the release tag.
 * - `istio/`: the CRD file and the Bookinfo and multicluster samples of one istio/istio commit.
 * - `sail-operator-<release>/chart/crds/*`: the Sail operator's CRDs of its release tag.
 *
 * Needs the network (raw.githubusercontent.com, istio's chart repository) and helm: HELM names it,
 * else the one test/support/helm.ts unpacks from the dev dependency. A folder that already exists
 * is left alone; each one is written beside its place and renamed, so a failed run leaves none
 * half-written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { helmBinary } from '../test/support/helm';
import {
  ISTIO_CHART_REPOSITORY,
  ISTIO_CHARTS,
  ISTIO_HEAD_COMMIT,
  ISTIO_HEAD_FILES,
  ISTIO_RELEASE_FILES,
  ISTIO_RELEASES,
  SAIL_FILES,
  SAIL_RELEASE,
  UPSTREAM_DIR,
  upstreamPath,
} from '../test/support/upstream';

/** A file of a GitHub repository at a tag or commit, as raw.githubusercontent.com serves it. */
async function githubFile(repository: string, ref: string, path: string): Promise<Buffer> {
  const url = `https://raw.githubusercontent.com/${repository}/${ref}/${path}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Builds `folder` (a name under UPSTREAM_DIR) in a staging folder, then renames it into place. */
async function fetchFolder(folder: string, fill: (staging: string) => Promise<void>): Promise<void> {
  if (existsSync(upstreamPath(folder))) {
    process.stdout.write(`${folder}: there already, left alone\n`);
    return;
  }
  mkdirSync(UPSTREAM_DIR, { recursive: true });
  const staging = mkdtempSync(join(UPSTREAM_DIR, `.${folder}-`));
  try {
    await fill(staging);
    renameSync(staging, upstreamPath(folder));
    process.stdout.write(`${folder}: fetched\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function writeGithubFiles(staging: string, repository: string, ref: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const target = join(staging, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, await githubFile(repository, ref, path));
  }
}

/** `helm pull` of one chart of istio's repository at `release`, unpacked to `target` (the chart's folder in istio/istio's tree). */
function pullChart(helm: string, chart: string, release: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  const untarDir = mkdtempSync(join(dirname(target), '.chart-'));
  try {
    // --untardir . unpacks into --destination itself: untarDir/<chart>.
    execFileSync(helm, ['pull', chart, '--repo', ISTIO_CHART_REPOSITORY, '--version', release, '--untar', '--destination', untarDir, '--untardir', '.'], { stdio: 'inherit' });
    renameSync(join(untarDir, chart), target);
  } finally {
    rmSync(untarDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const helm = process.env.HELM ?? helmBinary();
  for (const release of ISTIO_RELEASES) {
    await fetchFolder(`istio-${release}`, async (staging) => {
      for (const [chart, folder] of Object.entries(ISTIO_CHARTS)) pullChart(helm, chart, release, join(staging, 'manifests', 'charts', folder));
      await writeGithubFiles(staging, 'istio/istio', release, ISTIO_RELEASE_FILES);
    });
  }
  await fetchFolder('istio', (staging) => writeGithubFiles(staging, 'istio/istio', ISTIO_HEAD_COMMIT, ISTIO_HEAD_FILES));
  await fetchFolder(`sail-operator-${SAIL_RELEASE}`, (staging) => writeGithubFiles(staging, 'istio-ecosystem/sail-operator', SAIL_RELEASE, SAIL_FILES));
}

main().catch((error: unknown) => {
  process.stderr.write(`fetch-upstream: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
