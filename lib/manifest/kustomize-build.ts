import type { Manifest } from './mesh-manifests';
import { apiGroup, objectRef } from './mesh-manifests';

/**
 * The subset of `kustomize build` (v5, as `kubectl apply -k` runs it) that `validate` applies to
 * one output folder, so the analyzers check the objects a cluster receives, not the files alone.
 * Exact for what it implements; every other field of the kustomization is reported as not checked.
 * The rules follow sigs.k8s.io/kustomize: api/types/kustomization.go (the fields),
 * api/filters/namespace (metadata.namespace, Namespace names, ServiceAccount subjects),
 * api/filters/patchjson6902 (RFC 6902), kyaml/yaml/merge2 (strategic merge) and
 * api/resource/idset (target selectors are anchored regular expressions).
 */

/** What a kustomization asks for that the build did not do or could not do. */
export interface KustomizeProblem {
  /** `missing`: a listed file is absent; `refused`: a path outside the folder or a remote base; `unlisted`: a manifest file nothing lists; `unchecked`: a field the build does not implement; `failed`: a patch or field that kustomize itself refuses. */
  readonly kind: 'missing' | 'refused' | 'unlisted' | 'unchecked' | 'failed';
  /** The file of the folder the problem is in (the kustomization, or the manifest file nothing lists). */
  readonly file: string;
  readonly message: string;
}

/** A folder's files as the build sees them: name -> text, for the regular `*.yaml`/`*.yml` files read. */
export type FolderFiles = ReadonlyMap<string, string>;

/** What building one folder gives. */
export interface KustomizeBuild {
  readonly manifests: Manifest[];
  readonly problems: KustomizeProblem[];
  /** The files the kustomization uses (resources and patches): every other manifest file is never applied. */
  readonly used: ReadonlySet<string>;
}

/** Fields of a Kustomization this build applies exactly. */
const IMPLEMENTED = new Set(['apiVersion', 'kind', 'resources', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'namespace', 'labels']);
/** Fields of kustomize's Kustomization type it does not apply: they are reported, never silently passed. */
const NOT_IMPLEMENTED = new Set([
  'metadata', 'openapi', 'namePrefix', 'nameSuffix', 'commonLabels', 'commonAnnotations', 'images', 'replacements', 'replicas',
  'crds', 'bases', 'components', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'configurations', 'generators',
  'transformers', 'validators', 'helmCharts', 'helmGlobals', 'helmChartInflationGenerator', 'vars', 'sortOptions', 'buildMetadata',
]);

/**
 * Kinds kustomize treats as cluster-scoped (api/internal/accumulator/namespaceselector, from
 * kyaml/openapi's built-in schema): `namespace` leaves them alone. Any other kind, a custom
 * resource included, gets the namespace, as kustomize does without the CRD's scope.
 */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus', 'CSIDriver', 'CSINode',
  'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration', 'Namespace', 'Node',
  'PersistentVolume', 'PodSecurityPolicy', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass', 'SelfSubjectAccessReview',
  'SelfSubjectRulesReview', 'StorageClass', 'SubjectAccessReview', 'TokenReview', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'VolumeAttachment',
]);

/**
 * The merge keys (`x-kubernetes-patch-merge-key` of the Kubernetes OpenAPI schema kustomize
 * bundles) of the built-in lists a patch merges element by element; any other list is replaced
 * whole, and so is every list of a custom resource, for which kustomize has no schema.
 */
const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey'],
  // A container's ports merge by containerPort, a Service's by port.
  ports: ['containerPort', 'port'],
};
/** API groups of the built-in kinds whose schema kustomize knows. */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'discovery.k8s.io', 'storage.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'certificates.k8s.io']);

/** How the build parses the folder's files: the reader's rules (bounded, errors naming the file) hold for patches too. */
export interface FolderParser {
  /** The objects of a listed resource file; throws on a file that is not manifests. */
  manifests(file: string, text: string): Manifest[];
  /** The YAML documents of a patch (a file of the folder, or the kustomization for an inline patch). */
  documents(file: string, text: string): unknown[];
}

/** Builds one folder from its parsed kustomization. */
export function kustomizeBuild(kustomizationFile: string, kustomization: unknown, files: FolderFiles, parser: FolderParser): KustomizeBuild {
  const problems: KustomizeProblem[] = [];
  const used = new Set<string>([kustomizationFile]);
  const problem = (kind: KustomizeProblem['kind'], message: string) => problems.push({ kind, file: kustomizationFile, message });
  if (!isRecord(kustomization)) {
    problem('failed', 'is not a mapping: kustomize refuses it');
    return { manifests: [], problems, used };
  }
  for (const key of Object.keys(kustomization).sort()) {
    if (NOT_IMPLEMENTED.has(key)) problem('unchecked', `${quoted(key)} is not checked: validate does not apply it, so the objects it changes or adds are checked as the files have them`);
    else if (!IMPLEMENTED.has(key)) problem('failed', `${quoted(key)} is no field of a Kustomization: kustomize refuses the folder`);
  }
  /** A listed file, by a path that must name a file of this folder. */
  const listed = (field: string, path: unknown): string | undefined => {
    if (typeof path !== 'string' || path === '') {
      problem('failed', `${field} has an entry that is not a file name`);
      return undefined;
    }
    if (/^[a-z][a-z0-9+.-]*:|^(?:github\.com|gitlab\.com|bitbucket\.org)\//i.test(path) || path.includes('?ref=')) {
      problem('unchecked', `${field} names the remote ${quoted(path)}: validate reads nothing outside the tree, so what it holds is not checked`);
      return undefined;
    }
    const name = path.startsWith('./') ? path.slice(2) : path;
    if (name.startsWith('/') || name.split('/').includes('..')) {
      problem('refused', `${field} names ${quoted(path)}, outside this folder: validate reads nothing outside the folder`);
      return undefined;
    }
    if (name.includes('/')) {
      problem('unchecked', `${field} names ${quoted(path)} in a subfolder: validate builds each manifest folder from the files it holds directly, so it is not checked`);
      return undefined;
    }
    used.add(name);
    if (!files.has(name)) {
      problem('missing', `${field} lists ${quoted(path)}, which is not a regular .yaml or .yml file of this folder: kustomize fails on it`);
      return undefined;
    }
    return name;
  };

  let manifests: Manifest[] = [];
  for (const entry of listOf(kustomization.resources, 'resources', problem)) {
    const name = listed('resources', entry);
    if (name !== undefined) manifests.push(...parser.manifests(name, files.get(name)!).map(clone));
  }

  /** The documents of a patch entry, inline or by path. */
  const patchText = (field: string, entry: Record<string, unknown>): unknown[] | undefined => {
    if (typeof entry.patch === 'string') return parser.documents(kustomizationFile, entry.patch);
    if (entry.path === undefined) {
      problem('failed', `a ${field} entry has neither path nor patch`);
      return undefined;
    }
    const name = listed(`${field} path`, entry.path);
    return name === undefined ? undefined : parser.documents(name, files.get(name)!);
  };
  const originalNamespace = new WeakMap<Manifest, string | undefined>();
  const apply = (field: string, documents: unknown[], target: unknown) => {
    const outcome = applyPatch(manifests, documents.filter((document) => document !== null && document !== undefined), target, (manifest) => originalNamespace.get(manifest));
    if (typeof outcome === 'string') problem(outcome.startsWith('not checked') ? 'unchecked' : 'failed', `${field}: ${outcome}`);
    else manifests = outcome;
  };
  // kustomize's order (verified with kubectl kustomize): patchesStrategicMerge, patches, namespace,
  // labels, then patchesJson6902, whose targets match an object's namespace before or after the move.
  for (const entry of listOf(kustomization.patchesStrategicMerge, 'patchesStrategicMerge', problem)) {
    // An entry is a file name, or the patch itself inline (kustomize tells them apart by the line break).
    const text = typeof entry === 'string' && entry.includes('\n') ? parser.documents(kustomizationFile, entry) : (() => {
      const name = listed('patchesStrategicMerge', entry);
      return name === undefined ? undefined : parser.documents(name, files.get(name)!);
    })();
    if (text !== undefined) apply('patchesStrategicMerge', text, undefined);
  }

  for (const entry of listOf(kustomization.patches, 'patches', problem)) {
    if (!isRecord(entry)) {
      problem('failed', 'a patches entry is not a mapping of path or patch, and target');
      continue;
    }
    if (entry.options !== undefined) problem('unchecked', 'patches options (allowNameChange, allowKindChange) are not checked');
    const text = patchText('patches', entry);
    if (text !== undefined) apply('patches', text, entry.target);
  }
  if (kustomization.namespace !== undefined) {
    if (typeof kustomization.namespace === 'string' && kustomization.namespace !== '') {
      const moved = withNamespace(manifests, kustomization.namespace);
      moved.forEach((manifest, index) => originalNamespace.set(manifest, manifests[index].metadata.namespace));
      manifests = moved;
      const ids = manifests.map((manifest) => `${apiGroup(manifest)} ${objectRef(manifest)}`);
      const conflicts = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
      if (conflicts.length > 0) problem('failed', `namespace ${quoted(kustomization.namespace)} gives two objects the same id (${conflicts.map((id) => id.slice(id.indexOf(' ') + 1)).join(', ')}): kustomize refuses it`);
    } else problem('failed', 'namespace is not a non-empty string');
  }
  for (const entry of listOf(kustomization.labels, 'labels', problem)) {
    if (!isRecord(entry) || !isRecord(entry.pairs)) {
      problem('failed', 'a labels entry has no pairs mapping');
    } else {
      if (entry.includeSelectors === true || entry.includeTemplates === true || entry.fields !== undefined) {
        problem('unchecked', 'labels with includeSelectors, includeTemplates or fields are not checked: only metadata.labels is applied');
      }
      manifests = manifests.map((manifest) => withLabels(manifest, entry.pairs as Record<string, unknown>));
    }
  }
  for (const entry of listOf(kustomization.patchesJson6902, 'patchesJson6902', problem)) {
    const target = isRecord(entry) ? entry.target : undefined;
    // api/builtins/PatchJson6902Transformer.go: "must specify the target name".
    if (!isRecord(target) || typeof target.name !== 'string' || target.name === '') {
      problem('failed', 'a patchesJson6902 entry has no target name: kustomize refuses it');
      continue;
    }
    const text = patchText('patchesJson6902', entry as Record<string, unknown>);
    if (text !== undefined) apply('patchesJson6902', text, target);
  }
  return { manifests, problems, used };
}

/** The objects after one patch (strategic merge or RFC 6902), or why it cannot be applied. */
function applyPatch(manifests: Manifest[], documents: readonly unknown[], target: unknown, originalNamespace: (manifest: Manifest) => string | undefined): Manifest[] | string {
  if (documents.length === 1 && Array.isArray(documents[0])) {
    if (!isRecord(target)) return 'an RFC 6902 patch needs a target';
    const selected = selector(target, originalNamespace);
    if (typeof selected === 'string') return selected;
    const operations = documents[0];
    const out: Manifest[] = [];
    for (const manifest of manifests) {
      const patched = selected(manifest) ? applyJsonPatch(manifest, operations) : manifest;
      if (typeof patched === 'string') return `${patched} (on ${objectRef(manifest)})`;
      out.push(patched as Manifest);
    }
    return out;
  }
  let out = manifests;
  for (const patch of documents) {
    if (!isRecord(patch)) return 'a strategic-merge patch is not a mapping';
    let matches: (manifest: Manifest) => boolean;
    if (target !== undefined) {
      if (!isRecord(target)) return 'target is not a mapping';
      const selected = selector(target, originalNamespace);
      if (typeof selected === 'string') return selected;
      matches = selected;
    } else {
      const id = patch as Partial<Manifest>;
      matches = (manifest) =>
        manifest.kind === id.kind && manifest.apiVersion === id.apiVersion && manifest.metadata.name === id.metadata?.name && (id.metadata?.namespace === undefined || manifest.metadata.namespace === id.metadata.namespace);
      if (!out.some(matches)) return `no object matches the patch of ${typeof id.kind === 'string' ? id.kind : '?'}/${typeof id.metadata?.name === 'string' ? id.metadata.name : '?'}: kustomize fails on it`;
    }
    const unsupported = directiveIn(patch);
    if (unsupported !== undefined) return `not checked: the directive ${quoted(unsupported)} is not applied`;
    const next: Manifest[] = [];
    for (const manifest of out) {
      if (!matches(manifest)) next.push(manifest);
      else if (patch.$patch === 'delete') continue;
      else {
        // With a target, the patch applies to each target whatever it names (kustomize replaces its id).
        const body = target === undefined ? patch : { ...patch, apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: { ...(isRecord(patch.metadata) ? patch.metadata : {}), name: manifest.metadata.name, namespace: manifest.metadata.namespace } };
        next.push(strategicMerge(manifest, body, BUILT_IN_GROUPS.has(apiGroup(manifest))) as Manifest);
      }
    }
    out = next;
  }
  return out;
}

/** The first `$` directive the merge does not implement (`$patch: delete`/`replace` and `null` deletion are). */
function directiveIn(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = directiveIn(item);
      if (found !== undefined) return found;
    }
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('$') && !(key === '$patch' && (item === 'delete' || item === 'replace'))) return key;
      const found = directiveIn(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Strategic merge as kustomize applies it: maps merge key by key (`null` deletes), a built-in
 * list with a merge key merges by it (the patch's elements first, in its order, then the others,
 * as kubectl kustomize orders them), other lists and scalars are replaced.
 */
function strategicMerge(original: unknown, patch: unknown, builtIn: boolean, field = ''): unknown {
  if (isRecord(patch)) {
    if (patch.$patch === 'replace') return withoutDirective(patch);
    if (!isRecord(original)) return withoutNulls(withoutDirective(patch));
    const out: Record<string, unknown> = { ...original };
    for (const [key, value] of Object.entries(patch)) {
      if (key === '$patch') continue;
      if (value === null) delete out[key];
      else out[key] = key in original ? strategicMerge(original[key], value, builtIn, key) : withoutNulls(value);
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(original)) {
    const key = builtIn ? mergeKey(field, [...original, ...patch]) : undefined;
    if (key === undefined) return withoutNulls(patch);
    const patched = new Set<unknown>();
    const merged: unknown[] = [];
    for (const element of patch as Record<string, unknown>[]) {
      const match = original.find((item) => (item as Record<string, unknown>)[key] === element[key]);
      patched.add(element[key]);
      if (element.$patch === 'delete') continue;
      merged.push(match === undefined ? withoutNulls(withoutDirective(element)) : strategicMerge(match, element, builtIn));
    }
    return [...merged, ...original.filter((item) => !patched.has((item as Record<string, unknown>)[key]))];
  }
  return patch;
}

/** The merge key of a built-in list field, when every element is a mapping holding it. */
function mergeKey(field: string, elements: readonly unknown[]): string | undefined {
  if (!elements.every(isRecord)) return undefined;
  return MERGE_KEYS[field]?.find((key) => elements.every((element) => (element as Record<string, unknown>)[key] !== undefined));
}

function withoutDirective(value: Record<string, unknown>): Record<string, unknown> {
  const { $patch: _directive, ...rest } = value;
  return rest;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null).map(([key, item]) => [key, withoutNulls(item)]));
}

/** RFC 6902 on a copy of the object: the patched object, or why an operation fails (kustomize then fails). */
function applyJsonPatch(manifest: Manifest, operations: readonly unknown[]): unknown {
  let document: unknown = clone(manifest);
  for (const [index, operation] of operations.entries()) {
    const at = `operation ${index + 1}`;
    if (!isRecord(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') return `${at} has no op and path`;
    const path = pointer(operation.path);
    if (path === undefined) return `${at}: ${quoted(operation.path)} is not a JSON pointer`;
    const from = typeof operation.from === 'string' ? pointer(operation.from) : undefined;
    let result: unknown;
    switch (operation.op) {
      case 'add':
        result = putAt(document, path, clone(operation.value), 'add');
        break;
      case 'replace':
        result = putAt(document, path, clone(operation.value), 'replace');
        break;
      case 'remove':
        result = removeAt(document, path);
        break;
      case 'test':
        result = JSON.stringify(valueAt(document, path)) === JSON.stringify(operation.value) ? document : `${at}: the test of ${operation.path} fails`;
        break;
      case 'move':
      case 'copy': {
        if (from === undefined) return `${at}: ${operation.op} needs a from pointer`;
        const value = valueAt(document, from);
        if (value === undefined) return `${at}: ${operation.from as string} does not exist`;
        const source = operation.op === 'move' ? removeAt(document, from) : document;
        result = typeof source === 'string' ? source : putAt(source, path, clone(value), 'add');
        break;
      }
      default:
        return `${at}: ${quoted(operation.op)} is no RFC 6902 operation`;
    }
    if (typeof result === 'string') return result.startsWith('operation') ? result : `${at}: ${result}`;
    document = result;
  }
  return document;
}

function pointer(path: string): string[] | undefined {
  if (path === '') return [];
  if (!path.startsWith('/')) return undefined;
  return path.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(document: unknown, path: readonly string[]): unknown {
  let current = document;
  for (const token of path) {
    if (Array.isArray(current)) current = /^(0|[1-9]\d*)$/.test(token) ? current[Number(token)] : undefined;
    else if (isRecord(current)) current = Object.hasOwn(current, token) ? current[token] : undefined;
    else return undefined;
  }
  return current;
}

/** The document with the value added or replaced at the pointer, or why not. */
function putAt(document: unknown, path: readonly string[], value: unknown, op: 'add' | 'replace'): unknown {
  if (path.length === 0) return value;
  const parent = valueAt(document, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const index = last === '-' && op === 'add' ? parent.length : /^(0|[1-9]\d*)$/.test(last) ? Number(last) : -1;
    if (index < 0 || index > parent.length || (op === 'replace' && index >= parent.length)) return `${pointerText(path)} is no index of the list`;
    if (op === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
    return document;
  }
  if (!isRecord(parent)) return `${pointerText(path.slice(0, -1))} does not exist`;
  if (op === 'replace' && !Object.hasOwn(parent, last)) return `${pointerText(path)} does not exist`;
  parent[last] = value;
  return document;
}

function removeAt(document: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return 'the whole object cannot be removed';
  const parent = valueAt(document, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent) && /^(0|[1-9]\d*)$/.test(last) && Number(last) < parent.length) parent.splice(Number(last), 1);
  else if (isRecord(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else return `${pointerText(path)} does not exist`;
  return document;
}

function pointerText(path: readonly string[]): string {
  return `/${path.map((token) => token.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** A patch target as a predicate (each field an anchored regular expression, as kustomize matches them), or why it is not supported. */
function selector(target: Record<string, unknown>, originalNamespace: (manifest: Manifest) => string | undefined): ((manifest: Manifest) => boolean) | string {
  if (target.annotationSelector !== undefined) return 'not checked: a target annotationSelector is not applied';
  const fields: [string, (manifest: Manifest) => string][] = [
    ['group', (manifest) => apiGroup(manifest)],
    ['version', (manifest) => manifest.apiVersion.slice(manifest.apiVersion.lastIndexOf('/') + 1)],
    ['kind', (manifest) => manifest.kind],
    ['name', (manifest) => manifest.metadata.name],
    ['namespace', (manifest) => manifest.metadata.namespace ?? ''],
  ];
  const tests: ((manifest: Manifest) => boolean)[] = [];
  for (const [field, of] of fields) {
    const value = target[field];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') return `target ${field} is not a string`;
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${value})$`);
    } catch {
      return `target ${field} ${quoted(value)} is not a regular expression`;
    }
    const before = field === 'namespace' ? (manifest: Manifest) => originalNamespace(manifest) : () => undefined;
    tests.push((manifest) => pattern.test(of(manifest)) || (before(manifest) !== undefined && pattern.test(before(manifest)!)));
  }
  if (target.labelSelector !== undefined) {
    if (typeof target.labelSelector !== 'string' || !/^\s*[^,=!()\s]+\s*==?\s*[^,=!()\s]*\s*(,\s*[^,=!()\s]+\s*==?\s*[^,=!()\s]*\s*)*$/.test(target.labelSelector)) {
      return 'not checked: a target labelSelector other than key=value pairs is not applied';
    }
    const pairs = target.labelSelector.split(',').map((pair) => pair.split(/==?/).map((part) => part.trim()));
    tests.push((manifest) => pairs.every(([key, value]) => manifest.metadata.labels?.[key] === value));
  }
  return (manifest) => tests.every((test) => test(manifest));
}

/**
 * kustomize's namespace transformer: metadata.namespace on every object but the cluster-scoped
 * kinds, the name of each Namespace object, the namespace of a ServiceAccount subject of a
 * (Cluster)RoleBinding named `default` or naming a ServiceAccount of the build, and a webhook's
 * Service namespace when the build holds that Service (all verified with kubectl kustomize).
 */
function withNamespace(manifests: readonly Manifest[], namespace: string): Manifest[] {
  const idsOf = (kind: string) => new Set(manifests.filter((manifest) => manifest.kind === kind && apiGroup(manifest) === '').map((manifest) => `${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`));
  const serviceAccounts = idsOf('ServiceAccount');
  const services = idsOf('Service');
  return manifests.map((manifest) => {
    if (manifest.kind === 'Namespace' && apiGroup(manifest) === '') return { ...manifest, metadata: { ...manifest.metadata, name: namespace } };
    let out: Manifest = CLUSTER_SCOPED_KINDS.has(manifest.kind) ? manifest : { ...manifest, metadata: { ...manifest.metadata, namespace } };
    if ((manifest.kind === 'RoleBinding' || manifest.kind === 'ClusterRoleBinding') && Array.isArray(manifest.subjects)) {
      const subjects = manifest.subjects.map((subject: unknown) => {
        if (!isRecord(subject) || subject.kind !== 'ServiceAccount') return subject;
        const named = subject.name === 'default' || serviceAccounts.has(`${typeof subject.namespace === 'string' ? subject.namespace : ''}/${String(subject.name)}`);
        return named ? { ...subject, namespace } : subject;
      });
      out = { ...out, subjects };
    }
    if ((manifest.kind === 'MutatingWebhookConfiguration' || manifest.kind === 'ValidatingWebhookConfiguration') && Array.isArray(manifest.webhooks)) {
      // The name reference transformer: a webhook's Service moves with the Service when the build holds it.
      const webhooks = manifest.webhooks.map((webhook: unknown) => {
        const service = isRecord(webhook) && isRecord(webhook.clientConfig) && isRecord(webhook.clientConfig.service) ? webhook.clientConfig.service : undefined;
        if (service === undefined || !services.has(`${String(service.namespace)}/${String(service.name)}`)) return webhook;
        const config = (webhook as Record<string, Record<string, unknown>>).clientConfig;
        return { ...(webhook as Record<string, unknown>), clientConfig: { ...config, service: { ...service, namespace } } };
      });
      out = { ...out, webhooks };
    }
    return out;
  });
}

function withLabels(manifest: Manifest, pairs: Record<string, unknown>): Manifest {
  const labels = Object.fromEntries(Object.entries(pairs).map(([key, value]) => [key, String(value)]));
  return { ...manifest, metadata: { ...manifest.metadata, labels: { ...manifest.metadata.labels, ...labels } } };
}

function listOf(value: unknown, field: string, problem: (kind: KustomizeProblem['kind'], message: string) => void): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  problem('failed', `${field} is not a list`);
  return [];
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A user's string as printed: JSON-quoted, so no control character reaches the terminal. */
function quoted(text: string): string {
  return JSON.stringify(text);
}
