/**
 * Where the remote components the tool writes itself (`IstioRemote` with the `helm` installer:
 * the `istiod` Service and its EndpointSlice or Endpoints, the injection webhook, the reader
 * ClusterRole and binding) differ on purpose from what the `istiod` chart renders with
 * `profile: remote` and the same remote's values. One list, each difference with its reason:
 * test/meshes/helm-render.test.ts compares every such object field by field with the chart of every
 * supported release, fails on a difference that is not listed here and on a listed one that no
 * longer occurs; `install/README.md` prints the list.
 */
import { isAtLeast, type IstioVersion } from './istio-version';
import type { Mesh } from './mesh';
import type { ControlPlaneAddressKind } from './mesh-spec';

/** What a difference depends on: the chart release and how remotes reach istiod. */
export interface RemoteProfileCase {
  readonly istioVersion: IstioVersion;
  readonly controlPlaneAddressKind: ControlPlaneAddressKind;
  /** Whether the control-plane address is an IP (a selector-less Service with endpoints) rather than a DNS name. */
  readonly addressIsIp: boolean;
}

/** One field in which the tool's object differs from the chart's. */
export interface RemoteProfileDifference {
  /** The kinds whose objects differ in the field. */
  readonly kinds: readonly string[];
  /** The field, as path segments (label keys hold dots). */
  readonly field: readonly string[];
  /** Why the tool writes it otherwise. */
  readonly reason: string;
  /** When it differs. @default - always */
  readonly appliesTo?: (remote: RemoteProfileCase) => boolean;
}

/** The releases whose reader ClusterRole lists no configmaps among its core resources (`templates/reader-clusterrole.yaml`). */
const READER_RULE_WITHOUT_CONFIGMAPS: ReadonlySet<IstioVersion> = new Set(['1.24', '1.25', '1.27', '1.28']);

const ALL_KINDS = ['Service', 'EndpointSlice', 'Endpoints', 'MutatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding'] as const;
const HELM_RELEASE_REASON = 'names the Helm release and chart that own the object; no Helm release owns the tool\'s objects';

/** A label the tool's objects of `kinds` set otherwise, or leave out. */
function labelDifference(kinds: readonly string[], label: string, reason: string, appliesTo?: RemoteProfileDifference['appliesTo']): RemoteProfileDifference {
  return { kinds, field: ['metadata', 'labels', label], reason, ...(appliesTo ? { appliesTo } : {}) };
}

/** Every intended difference, in the order `install/README.md` lists them. */
export const REMOTE_PROFILE_DIFFERENCES: readonly RemoteProfileDifference[] = [
  labelDifference(
    ALL_KINDS.filter((kind) => kind === 'MutatingWebhookConfiguration' || kind.startsWith('ClusterRole')),
    'release',
    HELM_RELEASE_REASON,
  ),
  ...['app.kubernetes.io/instance', 'app.kubernetes.io/version', 'helm.sh/chart'].map((label) => labelDifference(ALL_KINDS, label, HELM_RELEASE_REASON)),
  labelDifference(
    ['MutatingWebhookConfiguration'],
    'install.operator.istio.io/owning-resource',
    'names the IstioOperator resource that installed the chart (`unknown` with Helm); no operator installs the tool\'s objects',
  ),
  labelDifference(
    ALL_KINDS,
    'app.kubernetes.io/managed-by',
    '`cdk8s-istio-multicluster` instead of `Helm`: Helm does not manage these objects, and `helm upgrade` would refuse to adopt them',
  ),
  labelDifference(
    ['EndpointSlice'],
    'endpointslice.kubernetes.io/managed-by',
    'tells the controllers that own EndpointSlices which slices are theirs; the chart writes its release service (`Helm`), the tool its own name',
  ),
  {
    kinds: ALL_KINDS,
    field: ['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'],
    reason: 'Argo CD applies the remote\'s mesh components, the injection webhook among them, in a wave before its workloads',
  },
  labelDifference(
    ['Service'],
    'istio.io/rev',
    'the label the charts set from 1.27 on, kept on every release so that `istio.io/rev=default` finds the remote\'s istiod Service whatever the release',
    (remote) => !isAtLeast(remote.istioVersion, '1.27'),
  ),
  {
    kinds: ['ClusterRole'],
    field: ['rules', '1', 'resources'],
    reason:
      'the rule as the 1.26.8, 1.29 and 1.30 charts write it, configmaps among the core resources read (istiod reads a remote\'s mesh ConfigMap from 1.29 on); ' +
      'on the other releases the remote profile\'s own configmaps rule grants the same access',
    appliesTo: (remote) => READER_RULE_WITHOUT_CONFIGMAPS.has(remote.istioVersion),
  },
  {
    kinds: ['Service'],
    field: ['spec', 'ports', '1', 'targetPort'],
    reason: 'istiod\'s Service serves the injection webhook on 443, not on the pods\' 15017 that the chart assumes behind `remotePilotAddress`',
    appliesTo: (remote) => remote.controlPlaneAddressKind === 'istiod-service',
  },
  ...[
    { kinds: ['EndpointSlice'], field: ['ports', '1', 'port'] },
    { kinds: ['Endpoints'], field: ['subsets', '0', 'ports', '1', 'port'] },
  ].map((endpoints) => ({
    ...endpoints,
    reason: 'the webhook port of the endpoints of an IP: 443 of istiod\'s Service IP, where the chart sends the webhook to 15017, which that IP does not serve',
    appliesTo: (remote: RemoteProfileCase) => remote.controlPlaneAddressKind === 'istiod-service' && remote.addressIsIp,
  })),
];

/** Whether a listed difference concerns an object of `kind` in `remote`. */
export function differenceApplies(difference: RemoteProfileDifference, kind: string, remote: RemoteProfileCase): boolean {
  return difference.kinds.includes(kind) && (difference.appliesTo?.(remote) ?? true);
}

/** The case of a mesh's remotes. */
export function remoteProfileCase(mesh: Mesh): RemoteProfileCase {
  return { istioVersion: mesh.istioVersion, controlPlaneAddressKind: mesh.controlPlaneAddressKind, addressIsIp: mesh.controlPlaneAddressIsIp };
}

/** The differences of a mesh's remote objects, each narrowed to the kinds the remotes hold. */
export function remoteProfileDifferences(mesh: Mesh): RemoteProfileDifference[] {
  const remote = remoteProfileCase(mesh);
  const kinds = ['Service', ...(remote.addressIsIp ? [mesh.istiodEndpointsKind] : []), 'MutatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding'];
  return REMOTE_PROFILE_DIFFERENCES.map((difference) => ({ ...difference, kinds: kinds.filter((kind) => differenceApplies(difference, kind, remote)) })).filter(
    (difference) => difference.kinds.length > 0,
  );
}

/** A field path as written in prose: `metadata.labels["helm.sh/chart"]`, `spec.ports[1].targetPort`. */
export function fieldPathText(field: readonly string[]): string {
  return field.map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : /^[A-Za-z]\w*$/.test(segment) ? `${index === 0 ? '' : '.'}${segment}` : `["${segment}"]`)).join('');
}
