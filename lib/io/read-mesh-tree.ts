import { readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { loadAll } from 'js-yaml';
import { isKind, KINDS } from '../manifest/kinds';
import { ANNOTATIONS, ISTIO_SYSTEM_NAMESPACE } from '../model/names';
import type { Manifest, MeshManifests } from '../manifest/mesh-manifests';
import { clusterFolder, CONTROL_PLANE_FOLDER } from '../manifest/mesh-manifests';
import { readRegularFile } from './read-regular-file';

/**
 * Values (scalars, lists, mappings) one manifest file may expand to once its YAML aliases are
 * followed: a few nested aliases expand to billions (an alias bomb) when the analyzers walk them.
 */
const MAX_VALUES_PER_FILE = 1_000_000;

/** The folder holding one folder per cluster, derived so the output layout is spelled in one place. */
const CLUSTERS_ROOT = posix.dirname(clusterFolder('any'));
/** Files of an output folder that are not manifests to analyze. */
const KUSTOMIZATION_FILES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml']);

/**
 * Reads an output tree (`DIR/clusters/<name>/*.yaml`, `DIR/control-plane/*.yaml`, multi-document
 * YAML) back into the manifests the analyzers check, so hand-written or edited trees can be
 * validated like synthesized ones. Clusters come in name order, files in name order. The
 * control-plane cluster is not written in the tree, so it is inferred from the istio-system
 * Namespaces (see `inferControlPlaneCluster`).
 */
export function readMeshTree(dir: string): MeshManifests {
  const clustersRoot = join(dir, CLUSTERS_ROOT);
  const controlPlaneDir = join(dir, CONTROL_PLANE_FOLDER);
  if (!isDirectory(clustersRoot) || !isDirectory(controlPlaneDir)) {
    throw new Error(`${dir} is not a mesh output tree: it needs the folders ${CLUSTERS_ROOT}/<cluster>/ and ${CONTROL_PLANE_FOLDER}/`);
  }
  const entries = readdirSync(clustersRoot, { withFileTypes: true });
  const notFolders = entries.filter((entry) => !entry.isDirectory()).map((entry) => `${CLUSTERS_ROOT}/${entry.name}`);
  if (notFolders.length > 0) {
    throw new Error(`${dir}: ${notFolders.sort().join(', ')} ${notFolders.length === 1 ? 'is' : 'are'} not a folder (a symlink or a file); ${CLUSTERS_ROOT}/ holds one real folder per cluster`);
  }
  const clusterNames = entries.map((entry) => entry.name).sort();
  const clusters = new Map(clusterNames.map((name) => [name, readFolder(join(dir, clusterFolder(name)))]));
  return { clusters, controlPlane: readFolder(controlPlaneDir), controlPlaneCluster: inferControlPlaneCluster(dir, clusters) };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readFolder(folder: string): Manifest[] {
  return readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file) && !KUSTOMIZATION_FILES.has(file))
    .sort()
    .flatMap((file) => readManifests(join(folder, file)));
}

function readManifests(file: string): Manifest[] {
  const text = readRegularFile(file);
  let documents: unknown[];
  try {
    documents = loadAll(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  if (exceedsValues(documents, MAX_VALUES_PER_FILE)) {
    throw new Error(`${file}: expands to more than ${MAX_VALUES_PER_FILE} values once its YAML aliases are followed; refusing to analyze it`);
  }
  return documents.flatMap((document, position) => {
    if (document === null || document === undefined) return [];
    if (!isManifest(document)) {
      throw new Error(`${file}: document ${position + 1} is not a Kubernetes object: apiVersion, kind and metadata.name are required`);
    }
    return [document];
  });
}

/** Whether walking the value (aliases followed) visits more than `budget` values; stops as soon as it does. */
function exceedsValues(value: unknown, budget: number): boolean {
  let left = budget;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    if (--left < 0) return true;
    const next = pending.pop();
    if (next !== null && typeof next === 'object') for (const item of Object.values(next)) pending.push(item);
  }
  return false;
}

function isManifest(document: unknown): document is Manifest {
  if (typeof document !== 'object' || document === null) return false;
  const { apiVersion, kind, metadata } = document as Record<string, unknown>;
  return typeof apiVersion === 'string' && typeof kind === 'string' && typeof (metadata as { name?: unknown } | null)?.name === 'string';
}

/**
 * The control-plane cluster: the one cluster whose istio-system Namespace carries no
 * `topology.istio.io/controlPlaneClusters` annotation (remotes name the control plane there);
 * failing that, the single cluster the remotes' annotations name.
 */
function inferControlPlaneCluster(dir: string, clusters: ReadonlyMap<string, readonly Manifest[]>): string {
  const namedBy = new Map(
    [...clusters].map(([name, manifests]) => {
      const istioSystem = manifests.find((manifest) => isKind(manifest, KINDS.namespace) && manifest.metadata.name === ISTIO_SYSTEM_NAMESPACE);
      return [name, istioSystem?.metadata.annotations?.[ANNOTATIONS.controlPlaneClusters]];
    }),
  );
  const unannotated = [...namedBy].filter(([, named]) => named === undefined).map(([name]) => name);
  if (unannotated.length === 1) return unannotated[0];
  const named = new Set([...namedBy.values()].filter((value): value is string => value !== undefined));
  const [onlyNamed] = named;
  if (named.size === 1 && clusters.has(onlyNamed)) return onlyNamed;
  throw new Error(
    `${dir}: cannot tell the control-plane cluster: expected exactly one cluster whose ${ISTIO_SYSTEM_NAMESPACE} Namespace has no ` +
      `${ANNOTATIONS.controlPlaneClusters} annotation, or remotes all naming one existing cluster there ` +
      `(unannotated: ${unannotated.join(', ') || 'none'}; named: ${[...named].join(', ') || 'none'})`,
  );
}
