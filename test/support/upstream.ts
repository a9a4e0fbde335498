/**
 * Test support: where the published upstream files the tests compare against live (Istio's charts
 * per release, Istio's CRDs and samples at HEAD, the Sail operator's CRDs). One place decides it:
 * `CDK8S_ISTIO_UPSTREAM_DIR` when set, else `../shared/upstream` beside the clone.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** The folder that holds `istio-<version>/`, `istio/` and `sail-operator-<version>/`. */
export const UPSTREAM_DIR = resolve(REPO_ROOT, process.env.CDK8S_ISTIO_UPSTREAM_DIR ?? join('..', 'shared', 'upstream'));

/** A path inside the upstream data, e.g. `upstreamPath('istio-1.30.3', 'manifests', 'charts')`. */
export function upstreamPath(...parts: readonly string[]): string {
  return join(UPSTREAM_DIR, ...parts);
}

/** Whether the upstream data is there at all. */
export const HAS_UPSTREAM = existsSync(UPSTREAM_DIR);
