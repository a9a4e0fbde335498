import { CONTROL_PLANE_FOLDER, clusterFolder, manifestFileName, type Manifest, type MeshManifests } from '../manifest/mesh-manifests';
import { compareText } from '../manifest/compare-text';
import { DistinctManifests } from '../manifest/distinct-manifests';
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
export function renderFolder(folder: string, manifests: readonly Manifest[], yamlOf: (manifest: Manifest) => string = toYaml): Map<string, string> {
  const files = new Map<string, string>();
  const resources: string[] = [];
  for (const manifest of [...manifests].sort(compareManifests)) {
    const fileName = manifestFileName(manifest);
    const path = `${folder}/${fileName}`;
    if (files.has(path)) throw new Error(`Two objects of ${folder}/ would be written to the same file ${fileName}: rename one of them`);
    files.set(path, yamlOf(manifest));
    resources.push(fileName);
  }
  files.set(`${folder}/${KUSTOMIZATION_FILE}`, toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
  return files;
}

/**
 * The whole output tree as relative path -> content: `clusters/<name>/`, `control-plane/` and
 * the extra files. Pure and deterministic: the same mesh gives the same bytes.
 */
export function renderTree(manifests: MeshManifests, extraFiles: ReadonlyMap<string, string> = new Map(), distinct: DistinctManifests = new DistinctManifests()): Map<string, string> {
  const tree = new Map<string, string>();
  // Equal objects give equal YAML: each distinct object is dumped once.
  const yamlOf = (manifest: Manifest) => distinct.yamlOf(manifest);
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
