import type { ToolNamespaces } from './names';

/**
 * Facts about the Sail operator (OpenShift Service Mesh 3) the `sail` installer targets, from its
 * CRDs at release 1.30.3 (`chart/crds/sailoperator.io_istios.yaml`, the enum of `spec.version`).
 */

/** The Sail operator release whose CRDs the emitted resources are written for. */
export const SAIL_OPERATOR_RELEASE = '1.30.3';

/**
 * Istio minor -> the newest patch that Sail operator release lists in `Istio.spec.version`. A
 * patch is pinned rather than the `vX.Y-latest` alias so that every cluster runs the same release
 * and the operator's revision names (`<Istio name>-v1-30-3`) can be derived here.
 */
const NEWEST_PATCH_BY_MINOR: ReadonlyMap<string, string> = new Map([
  ['1.30', 'v1.30.3'],
  ['1.29', 'v1.29.6'],
  ['1.28', 'v1.28.10'],
  ['1.27', 'v1.27.9'],
  ['1.26', 'v1.26.8'],
  ['1.25', 'v1.25.5'],
  ['1.24', 'v1.24.6'],
  ['1.23', 'v1.23.6'],
  ['1.22', 'v1.22.8'],
  ['1.21', 'v1.21.6'],
]);

/** The Istio minors the Sail operator at hand installs, newest first. */
export const SAIL_ISTIO_MINORS: readonly string[] = [...NEWEST_PATCH_BY_MINOR.keys()];

/**
 * The `spec.version` of every Sail resource for an Istio minor such as "1.30"; throws when the
 * Sail operator at hand does not install it.
 */
export function sailVersionFor(istioMinor: string): string {
  const version = NEWEST_PATCH_BY_MINOR.get(istioMinor);
  if (version === undefined) {
    throw new Error(
      `Istio ${istioMinor} is not installed by the Sail operator ${SAIL_OPERATOR_RELEASE}; expected one of: ${SAIL_ISTIO_MINORS.join(', ')}`,
    );
  }
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
 * The namespaces the Sail installer takes, which an application may not: the operator's (its
 * Subscription's, `openshift-operators` by default) and, with OpenShift clusters, the IstioCNI's.
 */
export function sailToolNamespaces(settings: { readonly installer?: unknown; readonly subscriptionNamespace?: string; readonly openshift: boolean }): ToolNamespaces {
  if (settings.installer !== 'sail') return {};
  return { sailOperator: settings.subscriptionNamespace ?? SAIL_SUBSCRIPTION_DEFAULTS.namespace, ...(settings.openshift ? { sailCni: SAIL_CNI.namespace } : {}) };
}
