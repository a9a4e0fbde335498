import { list, record, stringMap, text, type Labels } from './fields';
import { isKind, KINDS, type KindId } from './kinds';
import type { Located } from './located';
import { apiGroup, CONTROL_PLANE_FOLDER, clusterFolder, objectRef, type Manifest, type MeshManifests } from './mesh-manifests';
import { remoteSecretOf } from './remote-secret';

/*
 * What applying a new output tree over the one already applied does, cluster by cluster: which
 * objects it adds, changes and removes (what `prune` deletes), which changes the API server refuses
 * for an existing object, and which removals leave clusters still in the mesh without an object they
 * depend on. The rules of refused changes follow Kubernetes v1.34's update validation
 * (`pkg/apis/*\/validation`, cited at each rule).
 */

/** One object the new tree adds, changes or removes on a cluster. */
export interface ObjectChange {
  /** The object (the new one for an addition or a change, the old one for a removal) and where it is applied. */
  readonly located: Located;
  /** `objectRef` of the object: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
  readonly object: string;
  /** For a change: the paths of the fields that differ (`spec.selector.matchLabels.app`), at most `MAX_CHANGED_FIELDS`. */
  readonly fields: readonly string[];
  /** For a change: more fields differ than `fields` lists. */
  readonly moreFields: boolean;
}

/** The changes to the objects of one folder on the cluster it is applied to. */
export interface FolderChanges {
  /** `clusters/<name>` or `control-plane`. */
  readonly folder: string;
  readonly cluster: string;
  readonly added: readonly ObjectChange[];
  readonly changed: readonly ObjectChange[];
  /** What the new tree no longer holds: what GitOps `prune` deletes, or what is left to delete by hand. */
  readonly removed: readonly ObjectChange[];
}

/** A change to an existing object that the API server refuses: applying it fails until the object is deleted and created again. */
export interface RefusedChange {
  /** The new object and where it is applied. */
  readonly located: Located;
  /** The field the API server names, as it names it (`spec.selector`, `spec.clusterIPs[0]`, `roleRef`). */
  readonly field: string;
  /** What the API server says, with the values when they are no secret data. */
  readonly reason: string;
}

/** A removal that leaves a cluster still in the mesh without an object it depends on. */
export interface DroppedDependency {
  /** The removed object and where it was applied. */
  readonly located: Located;
  readonly reason: string;
}

/** What applying the new tree over the old one does. */
export interface ChangePlan {
  /** Each folder that changes, on the cluster it is applied to, in the new tree's cluster order (removed clusters last). */
  readonly folders: readonly FolderChanges[];
  readonly refused: readonly RefusedChange[];
  readonly dropped: readonly DroppedDependency[];
  /** Clusters of the new tree the old one lacks, and the reverse. */
  readonly addedClusters: readonly string[];
  readonly removedClusters: readonly string[];
  /** Set when the control plane moves to another cluster. */
  readonly controlPlaneMove?: { readonly from: string; readonly to: string };
}

/** How many changed fields an `ObjectChange` lists. */
export const MAX_CHANGED_FIELDS = 5;

/**
 * What applying `after` where `before` is applied does. Objects are matched per cluster by API
 * group, kind, namespace and name (the API server's identity: an object moving between the folders
 * of one cluster is the same object; the version in `apiVersion` is not part of it), so when the
 * control plane moves, `control-plane/`'s objects are removals on the old cluster and additions on
 * the new one.
 */
export function planChanges(before: MeshManifests, after: MeshManifests): ChangePlan {
  const old = objectsByCluster(before);
  const next = objectsByCluster(after);
  const clusters = [...new Set([...after.clusters.keys(), ...before.clusters.keys()])];
  const folders = new Map<string, { folder: string; cluster: string; added: ObjectChange[]; changed: ObjectChange[]; removed: ObjectChange[] }>();
  const folderOf = ({ folder, cluster }: Pick<Located, 'folder' | 'cluster'>) => {
    const key = `${folder}\u0000${cluster}`;
    let entry = folders.get(key);
    if (entry === undefined) folders.set(key, (entry = { folder, cluster, added: [], changed: [], removed: [] }));
    return entry;
  };
  // The folders in the order they are applied: each cluster's folder, the control plane's after its cluster's.
  for (const cluster of clusters) {
    folderOf({ folder: clusterFolder(cluster), cluster });
    if (cluster === after.controlPlaneCluster || cluster === before.controlPlaneCluster) folderOf({ folder: CONTROL_PLANE_FOLDER, cluster });
  }
  const refused: RefusedChange[] = [];
  for (const cluster of clusters) {
    const was = old.get(cluster) ?? new Map<string, Located>();
    const is = next.get(cluster) ?? new Map<string, Located>();
    for (const [identity, located] of is) {
      const previous = was.get(identity);
      if (previous === undefined) {
        folderOf(located).added.push(change(located));
        continue;
      }
      const fields = differingFields(previous.manifest, located.manifest);
      if (fields.length === 0) continue;
      folderOf(located).changed.push(change(located, fields));
      refused.push(...refusedChanges(previous.manifest, located.manifest).map((refusal) => ({ located, ...refusal })));
    }
    for (const [identity, located] of was) if (!is.has(identity)) folderOf(located).removed.push(change(located));
  }
  const addedClusters = [...after.clusters.keys()].filter((cluster) => !before.clusters.has(cluster));
  const removedClusters = [...before.clusters.keys()].filter((cluster) => !after.clusters.has(cluster));
  const controlPlaneMove = before.controlPlaneCluster !== after.controlPlaneCluster && before.clusters.has(before.controlPlaneCluster)
    ? { from: before.controlPlaneCluster, to: after.controlPlaneCluster }
    : undefined;
  return {
    folders: [...folders.values()].filter(({ added, changed, removed }) => added.length + changed.length + removed.length > 0),
    refused,
    dropped: [...droppedRemoteSecrets(before, after), ...droppedWebhooks(old, next, after.controlPlaneCluster)],
    addedClusters,
    removedClusters,
    ...(controlPlaneMove ? { controlPlaneMove } : {}),
  };
}

/** Whether applying the new tree changes nothing. */
export function isUnchanged(plan: ChangePlan): boolean {
  return plan.folders.length === 0;
}

function change(located: Located, fields: readonly string[] = []): ObjectChange {
  return { located, object: objectRef(located.manifest), fields: fields.slice(0, MAX_CHANGED_FIELDS), moreFields: fields.length > MAX_CHANGED_FIELDS };
}

/** `group/Kind/namespace/name`: what the API server tells objects apart by. */
function identityOf(manifest: Manifest): string {
  return [apiGroup(manifest), manifest.kind, manifest.metadata.namespace ?? '', manifest.metadata.name].join('\u0000');
}

/** Cluster -> identity -> the object applied there, from its own folder and, on the control-plane cluster, `control-plane/`. */
function objectsByCluster(manifests: MeshManifests): Map<string, Map<string, Located>> {
  const byCluster = new Map<string, Map<string, Located>>();
  const add = (cluster: string, folder: string, objects: readonly Manifest[]) => {
    const objectsOfCluster = byCluster.get(cluster) ?? new Map<string, Located>();
    for (const manifest of objects) objectsOfCluster.set(identityOf(manifest), { manifest, cluster, folder });
    byCluster.set(cluster, objectsOfCluster);
  };
  for (const [cluster, objects] of manifests.clusters) add(cluster, clusterFolder(cluster), objects);
  if (manifests.clusters.has(manifests.controlPlaneCluster)) add(manifests.controlPlaneCluster, CONTROL_PLANE_FOLDER, manifests.controlPlane);
  return byCluster;
}

// ---------------------------------------------------------------------------------------------
// Fields that differ

/** `a.b[0]["x.y"]`-style: a key that is no plain word is written in brackets, as the API server writes map keys. */
function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${key}]`;
}

/** The paths of the leaves (or whole subtrees, when one side lacks them) that differ, one more than `MAX_CHANGED_FIELDS` at most; `status` is not compared. */
function differingFields(before: Manifest, after: Manifest): string[] {
  const found: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (found.length > MAX_CHANGED_FIELDS || sameValue(a, b)) return;
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((item, index) => walk(item, b[index], childPath(path, index)));
    } else if (isObject(a) && isObject(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        if (path === '' && key === 'status') continue;
        walk(a[key], b[key], childPath(path, key));
      }
    } else {
      found.push(path === '' ? '(the object)' : path);
    }
  };
  walk(before, after, '');
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equal as the API server stores them: object keys in any order, an absent key equal to an undefined one. */
function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Changes the API server refuses (k8s.io/kubernetes v1.34, pkg/apis/<group>/validation)

type Refusal = Pick<RefusedChange, 'field' | 'reason'>;

interface UpdateRule {
  readonly kinds: readonly KindId[];
  readonly refusals: (before: Manifest, after: Manifest) => Refusal[];
}

const IMMUTABLE = 'field is immutable';

/** A value as a message shows it: JSON, cut at 120 characters. */
function shown(value: unknown): string {
  const json = value === undefined ? '(unset)' : JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

/** The fields that must keep their value, each named as the API server names it. */
function immutableFields(before: Manifest, after: Manifest, fields: readonly string[], reason = IMMUTABLE, showValues = true): Refusal[] {
  return fields.flatMap((field) => {
    const [was, is] = [valueAt(before, field), valueAt(after, field)];
    if (sameValue(was, is)) return [];
    return [{ field, reason: showValues ? `${reason} (${shown(was)} -> ${shown(is)})` : reason }];
  });
}

function valueAt(manifest: Manifest, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => record(value)[key], manifest);
}

/** The keys of `spec` that differ, outside those the API server lets change. */
function specFieldsOtherThan(before: Manifest, after: Manifest, mutable: ReadonlySet<string>, defaults: Readonly<Record<string, unknown>> = {}): string[] {
  const [was, is] = [record(before.spec), record(after.spec)];
  return [...new Set([...Object.keys(was), ...Object.keys(is)])]
    .filter((key) => !mutable.has(key) && !sameValue(was[key] ?? defaults[key], is[key] ?? defaults[key]))
    .sort()
    .map((key) => `spec.${key}`);
}

const RBAC = 'rbac.authorization.k8s.io';
const STATEFUL_SET_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);

const UPDATE_RULES: readonly UpdateRule[] = [
  {
    // apps/validation: ValidateDeploymentUpdate, ValidateDaemonSetSpecUpdate, ValidateReplicaSetUpdate.
    kinds: [KINDS.deployment, KINDS.daemonSet, { group: 'apps', kind: 'ReplicaSet' }],
    refusals: (before, after) => immutableFields(before, after, ['spec.selector']),
  },
  {
    // apps/validation: ValidateStatefulSetUpdate.
    kinds: [KINDS.statefulSet],
    refusals: (before, after) =>
      specFieldsOtherThan(before, after, STATEFUL_SET_MUTABLE, { podManagementPolicy: 'OrderedReady' }).map((field) => ({
        field,
        reason: `updates to statefulset spec for fields other than ${[...STATEFUL_SET_MUTABLE].map((key) => `'${key}'`).join(', ')} are forbidden`,
      })),
  },
  {
    // batch/validation: ValidateJobSpecUpdate (completions is immutable unless Indexed), validatePodTemplateUpdate.
    kinds: [{ group: 'batch', kind: 'Job' }],
    refusals: (before, after) => [
      ...immutableFields(before, after, ['spec.selector', 'spec.completionMode', 'spec.podFailurePolicy', 'spec.backoffLimitPerIndex', 'spec.managedBy', 'spec.successPolicy']),
      ...(text(record(after.spec).completionMode) === 'Indexed' ? [] : immutableFields(before, after, ['spec.completions'])),
      ...immutableFields(before, after, ['spec.template'], IMMUTABLE, false),
    ],
  },
  {
    // core/validation: ValidateServiceUpdate -> validateUpgradeDowngradeClusterIPs.
    kinds: [KINDS.service],
    refusals: serviceAddressRefusals,
  },
  {
    // rbac/validation: ValidateRoleBindingUpdate, ValidateClusterRoleBindingUpdate.
    kinds: [{ group: RBAC, kind: 'RoleBinding' }, { group: RBAC, kind: 'ClusterRoleBinding' }],
    refusals: (before, after) => immutableFields(before, after, ['roleRef'], 'cannot change roleRef'),
  },
  {
    // core/validation: ValidateSecretUpdate.
    kinds: [KINDS.secret],
    refusals: (before, after) => [
      // The type defaults to Opaque.
      ...immutableFields({ ...before, type: before.type ?? 'Opaque' }, { ...after, type: after.type ?? 'Opaque' }, ['type']),
      ...immutableContent(before, after, [['data', secretData]]),
    ],
  },
  {
    // core/validation: ValidateConfigMapUpdate.
    kinds: [{ group: '', kind: 'ConfigMap' }],
    refusals: (before, after) => immutableContent(before, after, [['data', (manifest) => manifest.data], ['binaryData', (manifest) => manifest.binaryData]]),
  },
  {
    // core/validation: ValidatePersistentVolumeClaimUpdate: a storage class may be set once where none was.
    kinds: [{ group: '', kind: 'PersistentVolumeClaim' }],
    refusals: (before, after) => {
      const mutable = new Set(['resources', 'volumeAttributesClassName', 'volumeName', ...(record(before.spec).storageClassName === undefined ? ['storageClassName'] : [])]);
      const limits = (manifest: Manifest) => ({ ...record(record(manifest.spec).resources), requests: undefined });
      const fields = [...specFieldsOtherThan(before, after, mutable), ...(sameValue(limits(before), limits(after)) ? [] : ['spec.resources'])];
      return fields.sort().map((field) => ({ field, reason: 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }));
    },
  },
  {
    // storage/validation: ValidateStorageClassUpdate (reclaimPolicy defaults to Delete, volumeBindingMode to Immediate).
    kinds: [{ group: 'storage.k8s.io', kind: 'StorageClass' }],
    refusals: (before, after) =>
      immutableFields(
        { ...before, reclaimPolicy: before.reclaimPolicy ?? 'Delete', volumeBindingMode: before.volumeBindingMode ?? 'Immediate' },
        { ...after, reclaimPolicy: after.reclaimPolicy ?? 'Delete', volumeBindingMode: after.volumeBindingMode ?? 'Immediate' },
        ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'],
        'updates are forbidden',
      ),
  },
  {
    // discovery/validation: ValidateEndpointSliceUpdate.
    kinds: [{ group: 'discovery.k8s.io', kind: 'EndpointSlice' }],
    refusals: (before, after) => immutableFields(before, after, ['addressType']),
  },
];

/** Each changed field of an object that was created with `immutable: true`, and `immutable` itself when it is unset. */
function immutableContent(before: Manifest, after: Manifest, contents: readonly (readonly [string, (manifest: Manifest) => unknown])[]): Refusal[] {
  if (before.immutable !== true) return [];
  const reason = 'field is immutable when `immutable` is set';
  return [
    ...(after.immutable === true ? [] : [{ field: 'immutable', reason }]),
    ...contents.filter(([, read]) => !sameValue(read(before) ?? {}, read(after) ?? {})).map(([field]) => ({ field, reason })),
  ];
}

/** A Secret's data as the API server stores it: `stringData` merged into `data`, base64-encoded. */
function secretData(manifest: Manifest): Record<string, string> {
  const data: Record<string, string> = { ...stringMap(manifest.data) };
  for (const [key, value] of Object.entries(stringMap(manifest.stringData))) data[key] = Buffer.from(value, 'utf8').toString('base64');
  return data;
}

/**
 * A Service's cluster IPs may not change once set (ExternalName and headless-to-headless aside).
 * A Service written without one keeps the address the API server allocated: only an address the
 * new manifest sets can be refused, and it is refused when the old manifest set another one, or set
 * none (the allocated address is not `None`, nor, but by chance, the one now written).
 */
function serviceAddressRefusals(before: Manifest, after: Manifest): Refusal[] {
  const [was, is] = [record(before.spec), record(after.spec)];
  if (was.type === 'ExternalName' || is.type === 'ExternalName') return [];
  const addresses = (spec: Readonly<Record<string, unknown>>): string[] => (list(spec.clusterIPs).length > 0 ? list(spec.clusterIPs).map(String) : text(spec.clusterIP) ? [text(spec.clusterIP)!] : []);
  const [old, next] = [addresses(was), addresses(is)];
  if (next.length === 0 || (old[0] === 'None' && next[0] === 'None')) return [];
  const field = list(is.clusterIPs).length > 0 ? 'spec.clusterIPs[0]' : 'spec.clusterIP';
  if (old.length === 0) {
    return [{ field, reason: `may not change once set: the Service has the address the API server allocated when it was created, which ${next[0] === 'None' ? 'is not None' : `is ${shown(next[0])} only by chance`}` }];
  }
  return next.flatMap((address, index) => (index < old.length && old[index] !== address ? [{ field: list(is.clusterIPs).length > 0 ? `spec.clusterIPs[${index}]` : field, reason: `may not change once set (${shown(old[index])} -> ${shown(address)})` }] : []));
}

/** What the API server refuses in updating `before` to `after` (the same object). */
export function refusedChanges(before: Manifest, after: Manifest): Refusal[] {
  return UPDATE_RULES.filter((rule) => rule.kinds.some((kind) => isKind(after, kind))).flatMap((rule) => rule.refusals(before, after));
}

// ---------------------------------------------------------------------------------------------
// Objects clusters still in the mesh depend on

/**
 * A remote secret is what istiod reads a remote's API server from: the new tree must still hold
 * one for every remote of the old tree that stays a remote.
 */
function droppedRemoteSecrets(before: MeshManifests, after: MeshManifests): DroppedDependency[] {
  const keysIn = (manifests: MeshManifests) => {
    const keys = new Set<string>();
    for (const located of locatedObjects(manifests)) for (const key of remoteSecretOf(located)?.dataKeys ?? []) keys.add(key);
    return keys;
  };
  const kept = keysIn(after);
  const stillRemotes = new Set([...after.clusters.keys()].filter((cluster) => cluster !== after.controlPlaneCluster));
  return locatedObjects(before).flatMap((located) => {
    const secret = remoteSecretOf(located);
    const lost = (secret?.dataKeys ?? []).filter((key) => stillRemotes.has(key) && !kept.has(key));
    return lost.map((cluster) => ({
      located,
      reason: `it is the remote secret of cluster ${cluster}, which stays in the mesh as a remote, and the new tree has no remote secret for it: istiod would stop reading that cluster (its endpoints, and the injection of its pods)`,
    }));
  });
}

function locatedObjects(manifests: MeshManifests): Located[] {
  return [...objectsByCluster(manifests).values()].flatMap((objects) => [...objects.values()]);
}

const WEBHOOK_CONFIGURATIONS: readonly KindId[] = [KINDS.mutatingWebhookConfiguration, { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' }];
const POD_TEMPLATE_KINDS: readonly KindId[] = [KINDS.deployment, KINDS.statefulSet, KINDS.daemonSet, { group: 'apps', kind: 'ReplicaSet' }, { group: 'batch', kind: 'Job' }];

/**
 * A webhook configuration removed from a remote that stays in the mesh, while a workload of the
 * new tree on that cluster is one of its webhooks' pods (namespace and object selectors) and no
 * webhook of the new tree's configurations takes it: its pods would start without the sidecar (or
 * unvalidated), as when a revision is removed while namespaces still select it. The control-plane
 * cluster's webhooks come from its Istio install, not from its folder, so it is not judged.
 */
function droppedWebhooks(old: ReadonlyMap<string, ReadonlyMap<string, Located>>, next: ReadonlyMap<string, ReadonlyMap<string, Located>>, controlPlaneCluster: string): DroppedDependency[] {
  const dropped: DroppedDependency[] = [];
  for (const [cluster, objects] of next) {
    const was = old.get(cluster);
    if (was === undefined || cluster === controlPlaneCluster) continue;
    const isWebhookConfiguration = ({ manifest }: Located) => WEBHOOK_CONFIGURATIONS.some((kind) => isKind(manifest, kind));
    const removed = [...was].filter(([identity, located]) => isWebhookConfiguration(located) && !objects.has(identity)).map(([, located]) => located);
    if (removed.length === 0) continue;
    const namespaceLabels = new Map([...objects.values()].filter(({ manifest }) => isKind(manifest, KINDS.namespace)).map(({ manifest }) => [manifest.metadata.name, stringMap(manifest.metadata.labels)]));
    const pods = [...objects.values()]
      .filter(({ manifest }) => POD_TEMPLATE_KINDS.some((kind) => isKind(manifest, kind)))
      .map(({ manifest }) => ({ workload: objectRef(manifest), namespace: namespaceLabels.get(manifest.metadata.namespace ?? '') ?? {}, labels: stringMap(record(record(record(manifest.spec).template).metadata).labels) }));
    const remaining = [...objects.values()].filter(isWebhookConfiguration);
    for (const located of removed) {
      const served = (configuration: Located, pod: (typeof pods)[number]) => configuration.manifest.kind === located.manifest.kind && list(configuration.manifest.webhooks).some((webhook) => webhookTakes(record(webhook), pod.namespace, pod.labels));
      const orphans = pods.filter((pod) => served(located, pod) && !remaining.some((configuration) => served(configuration, pod))).map(({ workload }) => workload);
      if (orphans.length === 0) continue;
      const named = orphans.slice(0, 3).join(', ') + (orphans.length > 3 ? ` and ${orphans.length - 3} more` : '');
      dropped.push({ located, reason: `cluster ${cluster} stays in the mesh and its workloads ${named} still match its webhooks, which no webhook of the new tree takes over: their pods would be admitted without it` });
    }
  }
  return dropped;
}

/** Whether a webhook is called for a pod with these labels in a namespace with these labels (an absent selector matches everything). */
function webhookTakes(webhook: Readonly<Record<string, unknown>>, namespaceLabels: Labels, podLabels: Labels): boolean {
  return selectorMatches(record(webhook.namespaceSelector), namespaceLabels) && selectorMatches(record(webhook.objectSelector), podLabels);
}

/** A metav1.LabelSelector: every `matchLabels` entry and every `matchExpressions` requirement holds. */
function selectorMatches(selector: Readonly<Record<string, unknown>>, labels: Labels): boolean {
  const matchLabels = Object.entries(stringMap(selector.matchLabels)).every(([key, value]) => labels[key] === value);
  return (
    matchLabels &&
    list(selector.matchExpressions).every((item) => {
      const { key, operator, values } = record(item);
      const label = typeof key === 'string' ? labels[key] : undefined;
      const among = list(values).includes(label);
      if (operator === 'In') return label !== undefined && among;
      if (operator === 'NotIn') return label === undefined || !among;
      if (operator === 'Exists') return label !== undefined;
      if (operator === 'DoesNotExist') return label === undefined;
      return false;
    })
  );
}
