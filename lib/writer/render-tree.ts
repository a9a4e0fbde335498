import { CONTROL_PLANE_FOLDER, clusterFolder, manifestFileName, type Manifest, type MeshManifests } from '../manifest/mesh-manifests';
import { compareText } from '../manifest/compare-text';
import { toYaml } from '../manifest/yaml';

/** The file in every output folder that lets `kubectl apply -k` / `kubectl kustomize` build it. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * Apply order of kinds inside a folder: what others depend on comes first (namespaces before
 * what lives in them, RBAC before workloads, webhooks last so they never block their own
 * dependencies). Kustomize sorts the same way; listing files in this order keeps plain
 * `kubectl apply -f` safe too. Unlisted kinds (custom resources) come after, by name.
 */
const KIND_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'Endpoints',
  'EndpointSlice',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const kindRank = new Map(KIND_ORDER.map((kind, index) => [kind, index]));

function compareManifests(a: Manifest, b: Manifest): number {
  const rank = (m: Manifest) => kindRank.get(m.kind) ?? KIND_ORDER.length;
  return (
    rank(a) - rank(b) ||
    compareText(a.kind, b.kind) ||
    compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compareText(a.metadata.name, b.metadata.name)
  );
}

/** One output folder: a file per object plus its kustomization, in apply order. */
export function renderFolder(folder: string, manifests: readonly Manifest[], yamlOf: (manifest: Manifest, fileName: string) => string = toYaml): Map<string, string> {
  const files = new Map<string, string>();
  const resources: string[] = [];
  for (const manifest of [...manifests].sort(compareManifests)) {
    const fileName = manifestFileName(manifest);
    const path = `${folder}/${fileName}`;
    if (files.has(path)) throw new Error(`Two objects of ${folder}/ would be written to the same file ${fileName}: rename one of them`);
    files.set(path, yamlOf(manifest, fileName));
    resources.push(fileName);
  }
  files.set(`${folder}/${KUSTOMIZATION_FILE}`, toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
  return files;
}

/**
 * The whole output tree as relative path -> content: `clusters/<name>/`, `control-plane/` and
 * the extra files. Pure and deterministic: the same mesh gives the same bytes.
 */
export function renderTree(manifests: MeshManifests, extraFiles: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const tree = new Map<string, string>();
  const yamlOf = distinctToYaml();
  for (const [cluster, clusterManifests] of manifests.clusters) {
    for (const [path, content] of renderFolder(clusterFolder(cluster), clusterManifests, yamlOf)) tree.set(path, content);
  }
  for (const [path, content] of renderFolder(CONTROL_PLANE_FOLDER, manifests.controlPlane, yamlOf)) tree.set(path, content);
  for (const [path, content] of extraFiles) {
    if (tree.has(path)) throw new Error(`The extra file ${path} would overwrite a manifest file`);
    tree.set(path, content);
  }
  return new Map([...tree].sort(([a], [b]) => compareText(a, b)));
}

/** How many distinct objects of one file name are kept for reuse (bounds the comparisons per object). */
const VARIANTS_PER_FILE = 4;

/**
 * `toYaml` that serializes each distinct object once. A multicluster mesh repeats the same object
 * in many cluster folders (a Service in every cluster that calls it, a remote's reader RBAC, a
 * gateway's workload), always under the same file name, and equal objects give equal YAML. An
 * object reuses the YAML of an earlier one of its file name when `sameData` says they are equal,
 * which costs a fraction of a js-yaml dump.
 */
function distinctToYaml(): (manifest: Manifest, fileName: string) => string {
  const renderedByFile = new Map<string, { readonly manifest: Manifest; readonly yaml: string }[]>();
  return (manifest, fileName) => {
    const rendered = renderedByFile.get(fileName) ?? [];
    const same = rendered.find((earlier) => sameData(earlier.manifest, manifest));
    if (same) return same.yaml;
    const yaml = toYaml(manifest);
    if (rendered.length < VARIANTS_PER_FILE) renderedByFile.set(fileName, [...rendered, { manifest, yaml }]);
    return yaml;
  };
}

/**
 * Equal as js-yaml dumps them: the same keys in the same order and the same values (`Object.is`,
 * so -0 and 0, NaN and null differ). Only plain objects and arrays are compared; anything else
 * counts as different, and is dumped on its own.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!sameData(a[index], b[index])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const keysOfA = Object.keys(a);
  const keysOfB = Object.keys(b);
  if (keysOfA.length !== keysOfB.length) return false;
  for (let index = 0; index < keysOfA.length; index++) {
    const key = keysOfA[index];
    if (key !== keysOfB[index] || !sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}
