import { usesCniPlugin } from './istio-values';
import type { Cluster, Mesh } from './mesh';
import type { ToolNamespaces } from './names';

/**
 * Facts about the Sail operator (OpenShift Service Mesh 3) the `sail` installer targets, from its
 * release 1.30.3: its CRDs (`chart/crds/sailoperator.io_istios.yaml`, the enum of `spec.version`)
 * and the versions it installs (`pkg/istioversion/versions.yaml`).
 */

/** The Sail operator release whose CRDs the emitted resources are written for. */
export const SAIL_OPERATOR_RELEASE = '1.30.3';

/**
 * Istio minor -> the newest patch that Sail operator release installs. A patch is pinned rather
 * than the `vX.Y-latest` alias so that every cluster runs the same release and the operator's
 * revision names (`<Istio name>-v1-30-3`) can be derived here.
 */
const NEWEST_PATCH_BY_MINOR: ReadonlyMap<string, string> = new Map([
  ['1.30', 'v1.30.3'],
  ['1.29', 'v1.29.6'],
  ['1.28', 'v1.28.10'],
]);

/** The Istio minors the Sail operator at hand installs, newest first. */
export const SAIL_ISTIO_MINORS: readonly string[] = [...NEWEST_PATCH_BY_MINOR.keys()];

/** The installable minors as written in messages and the README: `1.28 to 1.30`. */
export const SAIL_ISTIO_RANGE = `${SAIL_ISTIO_MINORS[SAIL_ISTIO_MINORS.length - 1]} to ${SAIL_ISTIO_MINORS[0]}`;

/**
 * The minors the CRD's `spec.version` enum still lists (so the API server accepts them) but
 * `versions.yaml` marks `eol: true`: the operator refuses to reconcile an `Istio` of such a version
 * ("is end-of-life and cannot be installed", `controllers/istio/istio_controller.go`
 * `reconcileActiveRevision`), so nothing would ever be installed.
 */
export const SAIL_END_OF_LIFE_MINORS: readonly string[] = ['1.27', '1.26', '1.25', '1.24', '1.23', '1.22', '1.21'];

/** Why the Sail operator at hand does not install an Istio minor (a valid `1.N`), or undefined when it does. */
export function sailIstioVersionProblem(istioMinor: string): string | undefined {
  if (NEWEST_PATCH_BY_MINOR.has(istioMinor)) return undefined;
  const why = SAIL_END_OF_LIFE_MINORS.includes(istioMinor)
    ? `is end of life for the Sail operator ${SAIL_OPERATOR_RELEASE}, which refuses to install it although its CRD still lists it`
    : `is not installed by the Sail operator ${SAIL_OPERATOR_RELEASE}`;
  return `"${istioMinor}" ${why} (installer: sail); expected ${SAIL_ISTIO_RANGE}`;
}

/**
 * The `spec.version` of every Sail resource for an Istio minor such as "1.30"; throws when the
 * Sail operator at hand does not install it.
 */
export function sailVersionFor(istioMinor: string): string {
  const version = NEWEST_PATCH_BY_MINOR.get(istioMinor);
  if (version === undefined) throw new Error(`Istio ${sailIstioVersionProblem(istioMinor)}`);
  return version;
}

/** The name of every `Istio` resource the tool emits, one per cluster (cluster-scoped), as upstream's guides name it. */
export const SAIL_ISTIO_NAME = 'default';

/** `IstioCNI` must be named `default` (a CRD validation rule) and runs in this namespace. */
export const SAIL_CNI = { name: 'default', namespace: 'istio-cni' } as const;

/**
 * The `IstioRevision` the operator creates for an `Istio`: named after it with `InPlace`, after it
 * and its version with `RevisionBased` (`default-v1-30-3`, Sail's update-strategy guide).
 */
export function sailRevisionName(istioName: string, strategy: 'InPlace' | 'RevisionBased', version: string): string {
  return strategy === 'InPlace' ? istioName : `${istioName}-${version.replace(/\./g, '-')}`;
}

/** Upstream's guide installs the operator with this Subscription; OpenShift Service Mesh 3 names its package `servicemeshoperator3` in `redhat-operators`. */
export const SAIL_SUBSCRIPTION_DEFAULTS = {
  name: 'sailoperator',
  source: 'community-operators',
  sourceNamespace: 'openshift-marketplace',
  namespace: 'openshift-operators',
} as const;

/** The API of every Sail resource. */
export const SAIL_API_VERSION = 'sailoperator.io/v1';
export const SAIL_KINDS = { istio: 'Istio', cni: 'IstioCNI', revisionTag: 'IstioRevisionTag' } as const;
export type SailKind = (typeof SAIL_KINDS)[keyof typeof SAIL_KINDS];

/**
 * The Sail kinds `SailInstall` writes to a cluster's folder: an `Istio`, an `IstioCNI` where the
 * mesh runs the CNI plugin, and the `IstioRevisionTag` on the control plane only (the operator
 * refuses a tag on a remote revision).
 */
export function sailKindsIn(model: Mesh, cluster: Cluster): SailKind[] {
  return [
    SAIL_KINDS.istio,
    ...(usesCniPlugin(model) ? [SAIL_KINDS.cni] : []),
    ...(cluster.isControlPlane && model.sail?.revisionTag !== undefined ? [SAIL_KINDS.revisionTag] : []),
  ];
}

/** The CustomResourceDefinition of a Sail kind, `<plural>.<group>` (sail-operator `chart/crds/`). */
export function sailCrdName(kind: SailKind): string {
  const plurals: Readonly<Record<SailKind, string>> = { Istio: 'istios', IstioCNI: 'istiocnis', IstioRevisionTag: 'istiorevisiontags' };
  return `${plurals[kind]}.${SAIL_API_VERSION.slice(0, SAIL_API_VERSION.indexOf('/'))}`;
}

/**
 * Argo CD sync waves: the operator's Subscription first, then each cluster's Istio resources with
 * the remote's mesh components (whose namespace they need), all before the workloads (wave 0).
 */
export const SAIL_SYNC_WAVES = { operator: '-2', istio: '-1' } as const;

/**
 * The operator installs the `base` chart, whose templates include the reader ServiceAccount, only
 * for the revision (or revision tag) named `default` (sail-operator's IstioRevision controller);
 * a remote's revision is `default` with `InPlace` only, and a remote has no tag.
 */
export function sailRendersReaderServiceAccount(sail: { readonly revision: string }): boolean {
  return sail.revision === 'default';
}

/**
 * The token controller deletes a `kubernetes.io/service-account-token` Secret whose account does
 * not exist (kubernetes `pkg/controller/serviceaccount/tokens_controller.go`, `syncSecret`): where
 * the operator renders the reader account, a remote's reader token Secret is applied once the
 * remote's `Istio` is reconciled. Where the tool writes the account, one apply creates both, the
 * account first (kustomize, Argo CD and Flux all order ServiceAccounts before Secrets).
 */
export function sailReaderTokenAfterIstio(sail: { readonly revision: string }): boolean {
  return sailRendersReaderServiceAccount(sail);
}

/**
 * The namespaces the Sail installer takes, which an application may not: the operator's (its
 * Subscription's, `openshift-operators` by default) and, with OpenShift clusters, the IstioCNI's.
 */
export function sailToolNamespaces(settings: { readonly installer?: unknown; readonly subscriptionNamespace?: string; readonly openshift: boolean }): ToolNamespaces {
  if (settings.installer !== 'sail') return {};
  return { sailOperator: settings.subscriptionNamespace ?? SAIL_SUBSCRIPTION_DEFAULTS.namespace, ...(settings.openshift ? { sailCni: SAIL_CNI.namespace } : {}) };
}
