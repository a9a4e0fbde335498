/**
 * The Istio minor release the output targets, and everything that differs between releases.
 * One knob (`mesh.istioVersion`) decides all of it, so no two settings can disagree.
 *
 * Facts come from istio/istio's release branches: `manifests/charts/istio-control/istio-discovery`
 * (`files/profile-*.yaml`, `templates/remote-istiod-endpoint*.yaml`, `templates/mutatingwebhook.yaml`).
 */

/** An Istio minor release, such as `"1.30"`. */
export type IstioVersion = `${number}.${number}`;

/** How the remote's selector-less `istiod` Service gets its endpoints. */
export type IstiodEndpointsKind = 'EndpointSlice' | 'Endpoints';

/**
 * The oldest supported minor: 1.24 is the first release whose `istiod` chart ships
 * `profile: remote` and whose charts take `global.platform` (`profile-platform-openshift.yaml`),
 * the values `install/` is written in.
 */
export const OLDEST_ISTIO_VERSION: IstioVersion = '1.24';
/**
 * The newest supported minor, and the default: 1.30 is the newest stable release (1.31 has only
 * pre-releases), and the one whose charts (1.30.3) the emitted values are checked against.
 */
export const NEWEST_ISTIO_VERSION: IstioVersion = '1.30';
export const DEFAULT_ISTIO_VERSION: IstioVersion = NEWEST_ISTIO_VERSION;

/**
 * The newest patch of each supported minor: the release whose published charts the output is
 * checked against, and the chart version `install/README.md` pins with `--version`.
 */
const CHECKED_PATCHES: ReadonlyMap<string, string> = new Map([
  ['1.24', '1.24.6'],
  ['1.25', '1.25.5'],
  ['1.26', '1.26.8'],
  ['1.27', '1.27.9'],
  ['1.28', '1.28.10'],
  ['1.29', '1.29.6'],
  ['1.30', '1.30.3'],
]);

/** The patch release of a supported minor whose charts the output is checked against, e.g. `1.30.3` for `1.30`. */
export function checkedPatch(version: IstioVersion): string {
  const patch = CHECKED_PATCHES.get(version);
  if (patch === undefined) throw new Error(`Istio ${version} is not a supported minor (${SUPPORTED_ISTIO_VERSIONS}): no release of it is checked`);
  return patch;
}

const MINOR_VERSION = /^1\.(0|[1-9]\d{0,2})$/;

/** The minor number of a `1.N` version, or undefined when the text is not one. */
function minorOf(version: string): number | undefined {
  const match = MINOR_VERSION.exec(version);
  return match ? Number(match[1]) : undefined;
}

const OLDEST_MINOR = minorOf(OLDEST_ISTIO_VERSION)!;
const NEWEST_MINOR = minorOf(NEWEST_ISTIO_VERSION)!;

/** The supported range as written in messages and the README: `1.24 to 1.30`. */
export const SUPPORTED_ISTIO_VERSIONS = `${OLDEST_ISTIO_VERSION} to ${NEWEST_ISTIO_VERSION}`;

/**
 * Why a value is not a supported Istio version, or undefined when it is one. YAML reads an
 * unquoted `1.30` as the number 1.3, so numbers get a hint to quote the value.
 */
export function istioVersionProblem(value: unknown): string | undefined {
  if (typeof value === 'number') return `${value} is a number; write the minor as a quoted string, e.g. "${NEWEST_ISTIO_VERSION}" (YAML reads 1.30 as 1.3)`;
  if (typeof value !== 'string') return `must be a string such as "${NEWEST_ISTIO_VERSION}"`;
  const minor = minorOf(value);
  if (minor === undefined) return `"${value}" is not an Istio minor release; expected "1.N" such as "${NEWEST_ISTIO_VERSION}" (no patch: the charts of every patch of a minor take the same values)`;
  if (minor < OLDEST_MINOR) return `"${value}" is older than the supported range ${SUPPORTED_ISTIO_VERSIONS}: its istiod chart has no remote profile and no global.platform`;
  if (minor > NEWEST_MINOR) return `"${value}" is newer than the supported range ${SUPPORTED_ISTIO_VERSIONS}: its charts are not released as stable, so the output is not checked against them`;
  return undefined;
}

/** Whether `version` is `minimum` or later. Both are valid `1.N` versions. */
export function isAtLeast(version: IstioVersion, minimum: IstioVersion): boolean {
  return minorOf(version)! >= minorOf(minimum)!;
}

/**
 * The istiod chart renders a remote's istiod endpoints as v1 Endpoints up to 1.27
 * (`remote-istiod-endpoints.yaml`) and as an EndpointSlice from 1.28 (`remote-istiod-endpointslices.yaml`).
 */
export function istiodEndpointsKind(version: IstioVersion): IstiodEndpointsKind {
  return isAtLeast(version, '1.28') ? 'EndpointSlice' : 'Endpoints';
}

/**
 * From 1.29 istiod reads each remote's trust domain from that remote's mesh ConfigMap
 * (`istio`, or `istio-<revision>` for an istiod of another revision, in istio-system, key `mesh`), falling back to `cluster.local` when there is none
 * (istio/istio `pilot/pkg/serviceregistry/kube/controller/multicluster.go`, #58455).
 */
export function readsRemoteMeshConfig(version: IstioVersion): boolean {
  return isAtLeast(version, '1.29');
}
