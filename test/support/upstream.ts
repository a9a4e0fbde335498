/**
 * Test support: where the published upstream files the tests compare against live (Istio's charts
 * per release, Istio's CRDs and samples at one commit, the Sail operator's CRDs), and which
 * versions they are. One place decides it: `CDK8S_ISTIO_UPSTREAM_DIR` when set, else
 * `../shared/upstream` beside the clone. `scripts/fetch-upstream.ts` fetches exactly these pins.
 *
 * A clone without the data still runs every other test: the tests that read it are skipped
 * (`describe.skipIf(!HAS_UPSTREAM)`), the global setup says once which data is missing and how
 * to get it, and under CI (`CI=true`) a missing folder fails the run instead.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** The variable that names the folder of the upstream data. */
export const UPSTREAM_DIR_VARIABLE = 'CDK8S_ISTIO_UPSTREAM_DIR';

/** The folder that holds `istio-<version>/`, `istio/` and `sail-operator-<version>/`. */
export const UPSTREAM_DIR = resolve(REPO_ROOT, process.env[UPSTREAM_DIR_VARIABLE] ?? join('..', 'shared', 'upstream'));

/**
 * The Istio patch releases whose charts (`istio-<version>/manifests/charts/<chart>`) and
 * multicluster samples the data holds: the newest patch of each supported minor
 * (lib/model/istio-version.ts, 1.24 to 1.30).
 */
export const ISTIO_RELEASES = ['1.24.6', '1.25.5', '1.26.8', '1.27.9', '1.28.10', '1.29.6', '1.30.3'] as const;

/**
 * Each chart of istio's chart repository the tests read, by its name there and its folder under
 * `manifests/charts/` in istio/istio (where a release's tree has it).
 */
export const ISTIO_CHARTS: Readonly<Record<string, string>> = {
  base: 'base',
  istiod: 'istio-control/istio-discovery',
  cni: 'istio-cni',
  gateway: 'gateway',
};

/** istio's Helm chart repository (https://istio.io/latest/docs/setup/install/helm/). */
export const ISTIO_CHART_REPOSITORY = 'https://istio-release.storage.googleapis.com/charts';

/** The files of each release tag in `istio-<version>/`, at the same paths as in istio/istio. */
export const ISTIO_RELEASE_FILES = [
  'samples/multicluster/expose-istiod.yaml',
  'samples/multicluster/expose-istiod-https.yaml',
  'samples/multicluster/expose-istiod-rev.yaml.tmpl',
  'samples/multicluster/expose-services.yaml',
  'samples/multicluster/gen-eastwest-gateway.sh',
  'samples/multicluster/README.md',
] as const;

/** The istio/istio commit whose CRDs and samples `istio/` holds (the development line after 1.31). */
export const ISTIO_HEAD_COMMIT = '86c9f01fd735fb01d8192f5bcaf0d424afb7f14c';

/** The files of that commit in `istio/`, at the same paths as in istio/istio. */
export const ISTIO_HEAD_FILES = [
  'manifests/charts/base/files/crd-all.gen.yaml',
  'samples/bookinfo/platform/kube/bookinfo.yaml',
  'samples/bookinfo/networking/bookinfo-gateway.yaml',
  'samples/bookinfo/networking/destination-rule-all.yaml',
  'samples/bookinfo/networking/destination-rule-all-mtls.yaml',
  'samples/bookinfo/networking/virtual-service-all-v1.yaml',
  'samples/bookinfo/networking/virtual-service-reviews-jason-v2-v3.yaml',
  'samples/bookinfo/networking/virtual-service-reviews-v3.yaml',
  'samples/multicluster/expose-istiod.yaml',
  'samples/multicluster/expose-istiod-https.yaml',
  'samples/multicluster/expose-services.yaml',
] as const;

/** The istio-ecosystem/sail-operator release whose CRDs `sail-operator-<version>/` holds. */
export const SAIL_RELEASE = '1.30.3';

/** The files of that release tag in `sail-operator-<version>/`, at the same paths as upstream. */
export const SAIL_FILES = ['istios', 'istiorevisions', 'istiorevisiontags', 'istiocnis', 'ztunnels'].map((kind) => `chart/crds/sailoperator.io_${kind}.yaml`);

/** The newest Istio release of the data: the charts the emitted values are checked against. */
export const NEWEST_ISTIO_RELEASE = ISTIO_RELEASES[ISTIO_RELEASES.length - 1];

/** The folders under UPSTREAM_DIR the data consists of. */
export const UPSTREAM_FOLDERS: readonly string[] = ['istio', ...ISTIO_RELEASES.map((version) => `istio-${version}`), `sail-operator-${SAIL_RELEASE}`];

/** A path inside the upstream data, e.g. `upstreamPath('istio-1.30.3', 'manifests', 'charts')`. */
export function upstreamPath(...parts: readonly string[]): string {
  return join(UPSTREAM_DIR, ...parts);
}

/** The folders of the data that are not there. */
export const MISSING_UPSTREAM_FOLDERS: readonly string[] = UPSTREAM_FOLDERS.filter((folder) => !existsSync(upstreamPath(folder)));

/** Whether all of the upstream data is there: the tests that read it run only then. */
export const HAS_UPSTREAM = MISSING_UPSTREAM_FOLDERS.length === 0;

/** The one line that says which data is missing and how to get it. */
export function missingUpstreamMessage(): string {
  return (
    `upstream data missing in ${UPSTREAM_DIR} (${MISSING_UPSTREAM_FOLDERS.join(', ')}): the tests that compare against Istio's and Sail's published files are skipped; ` +
    `fetch it with \`npm run fetch:upstream\` (network needed) or set ${UPSTREAM_DIR_VARIABLE} to a folder that holds it`
  );
}
