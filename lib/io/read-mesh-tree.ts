import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, join, posix, resolve } from 'node:path';
import { loadAll, YAMLException } from 'js-yaml';
import { isKind, KINDS } from '../manifest/kinds';
import { ANNOTATIONS, ISTIO_SYSTEM_NAMESPACE } from '../model/names';
import { quotedIfUnusual } from '../model/printable';
import type { Manifest, MeshManifests } from '../manifest/mesh-manifests';
import { clusterFolder, CONTROL_PLANE_FOLDER, INSTALL_FOLDER } from '../manifest/mesh-manifests';
import { kustomizeBuild, type KustomizeProblem } from '../manifest/kustomize-build';
import { GITOPS_FOLDER } from '../writer/gitops';
import { lstatOrUndefined, OUTPUT_MARKER } from '../writer/write-tree';
import { MAX_INPUT_BYTES, readRegularFile } from './read-regular-file';

/**
 * Values (scalars, lists, mappings) one manifest file may expand to once its YAML aliases are
 * followed: a few nested aliases expand to billions (an alias bomb) when the analyzers walk them.
 */
const MAX_VALUES_PER_FILE = 1_000_000;

/** The folder holding one folder per cluster, derived so the output layout is spelled in one place. */
const CLUSTERS_ROOT = posix.dirname(clusterFolder('any'));
/** The names kustomize reads a folder's kustomization from (api/konfig/general.go RecognizedKustomizationFileNames), in its order. */
const KUSTOMIZATION_FILES: readonly string[] = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/** The name of a file that can be a manifest. */
const MANIFEST_NAME = /\.ya?ml$/;
/** What a synth writes beside the manifest folders: part of the tree, holding nothing to analyze, so neither read nor reported. */
const OTHER_OUTPUT_PARTS: ReadonlySet<string> = new Set(['README.md', INSTALL_FOLDER, GITOPS_FOLDER, OUTPUT_MARKER]);

/** An entry of a tree that was not read, and why. */
export interface SkippedEntry {
  /** Its path in the tree (POSIX separators). */
  readonly path: string;
  readonly reason: string;
}

/** A mesh output tree as read back. */
export interface MeshTree {
  readonly manifests: MeshManifests;
  /** Each manifest file read, path in the tree (POSIX separators) -> text, so a finding can name its file and line. */
  readonly files: ReadonlyMap<string, string>;
  /** Entries that cannot be manifests (a `.git` folder, notes, a subfolder of a cluster folder), which were not read. */
  readonly skipped: readonly SkippedEntry[];
  /** What the folders' kustomizations list that is missing or not checked, and files they never list. */
  readonly kustomizeProblems: readonly FolderProblem[];
  /**
   * True when DIR is one cluster folder (a kustomization and no `clusters/`): it is read as the
   * folder of the cluster its own name names, and only the checks of single objects and folders apply.
   */
  readonly singleFolder: boolean;
  /** Where a path of `files` (or a folder) is on disk, relative to DIR. */
  onDisk(path: string): string;
}

/** A kustomization problem of one manifest folder (its path in the tree). */
export interface FolderProblem extends KustomizeProblem {
  readonly folder: string;
}

/**
 * Reads an output tree (`DIR/clusters/<name>/*.yaml`, `DIR/control-plane/*.yaml`, multi-document
 * YAML) back into the manifests the analyzers check, so hand-written or edited trees can be
 * validated like synthesized ones. Clusters come in name order, files in name order. The
 * control-plane cluster is not written in the tree, so it is inferred from the istio-system
 * Namespaces (see `inferControlPlaneCluster`). See `readMeshTreeFiles` for what is read.
 */
export function readMeshTree(dir: string): MeshManifests {
  return readMeshTreeFiles(dir).manifests;
}

/**
 * Reads an output tree as `readMeshTree` does, with the text of each file read and the entries
 * skipped. Only what can be a manifest is read: a regular `*.yaml`/`*.yml` file directly in a
 * cluster folder or `control-plane/`, other than the kustomization file, of at most 16 MiB.
 * Nothing outside the tree is read: a symlink is never followed (a `*.yaml` link is refused, a
 * manifest folder that is a link too). Any other entry (`.git`, notes, subfolders) is skipped
 * unread and listed in `skipped`. Errors name entries, never print what a file holds: a YAML
 * error gives its line, column and reason only.
 */
export function readMeshTreeFiles(dir: string): MeshTree {
  const root = statOrUndefined(dir);
  if (root === undefined) throw new Error(`${dir} does not exist`);
  if (!root.isDirectory()) throw new Error(`${dir} is not a folder: validate reads an output tree, or one cluster folder with its kustomization`);
  const clustersRoot = join(dir, CLUSTERS_ROOT);
  const rootEntries = [CLUSTERS_ROOT, CONTROL_PLANE_FOLDER].map((name) => ({ name, stat: lstatOrUndefined(join(dir, name)) }));
  if (rootEntries.every(({ stat }) => stat === undefined) && KUSTOMIZATION_FILES.some((name) => lstatOrUndefined(join(dir, name)) !== undefined)) {
    return readClusterFolder(dir);
  }
  if (rootEntries.some(({ stat }) => !stat?.isDirectory() && !stat?.isSymbolicLink())) {
    throw new Error(`${dir} is not a mesh output tree: it needs the folders ${CLUSTERS_ROOT}/<cluster>/ and ${CONTROL_PLANE_FOLDER}/`);
  }
  const linked = rootEntries.filter(({ stat }) => stat?.isSymbolicLink()).map(({ name }) => name);
  if (linked.length > 0) {
    throw new Error(`${dir}: ${linked.join(', ')} ${linked.length === 1 ? 'is a symlink' : 'are symlinks'}; validate reads nothing outside the tree, so the manifest folders must be real folders`);
  }
  const entries = readdirSync(clustersRoot, { withFileTypes: true });
  const notFolders = entries.filter((entry) => !entry.isDirectory()).map((entry) => `${CLUSTERS_ROOT}/${entry.name}`);
  if (notFolders.length > 0) {
    throw new Error(`${dir}: ${notFolders.sort().map(quotedIfUnusual).join(', ')} ${notFolders.length === 1 ? 'is' : 'are'} not a folder (a symlink or a file); ${CLUSTERS_ROOT}/ holds one real folder per cluster`);
  }
  const reading = new TreeReading(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name !== CLUSTERS_ROOT && entry.name !== CONTROL_PLANE_FOLDER && !OTHER_OUTPUT_PARTS.has(entry.name)) {
      reading.skip(entry.name, 'not part of a mesh output tree');
    }
  }
  const clusterNames = entries.map((entry) => entry.name).sort();
  const clusters = new Map(clusterNames.map((name) => [name, reading.folder(clusterFolder(name))]));
  const controlPlane = reading.folder(CONTROL_PLANE_FOLDER);
  reading.assertNothingRefused();
  return {
    manifests: { clusters, controlPlane, controlPlaneCluster: inferControlPlaneCluster(dir, clusters) },
    files: reading.files,
    skipped: reading.skipped,
    kustomizeProblems: reading.kustomizeProblems,
    singleFolder: false,
    onDisk: (path) => path,
  };
}

/** One cluster folder read on its own, as the folder of the cluster named like it; see `MeshTree.singleFolder`. */
function readClusterFolder(dir: string): MeshTree {
  const cluster = basename(resolve(dir));
  const folder = clusterFolder(cluster);
  const reading = new TreeReading(dir);
  const manifests = reading.folder(folder, '.');
  reading.assertNothingRefused();
  return {
    manifests: { clusters: new Map([[cluster, manifests]]), controlPlane: [], controlPlaneCluster: cluster },
    files: reading.files,
    skipped: reading.skipped,
    kustomizeProblems: reading.kustomizeProblems,
    singleFolder: true,
    onDisk: (path) => (path === folder ? '.' : path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : path),
  };
}

/** What reading one tree has read, skipped and refused so far. */
class TreeReading {
  readonly files = new Map<string, string>();
  readonly skipped: SkippedEntry[] = [];
  readonly kustomizeProblems: FolderProblem[] = [];
  /** Entries that can be manifests but were not read: the tree cannot be checked whole. */
  private readonly refused: string[] = [];

  constructor(private readonly dir: string) {}

  skip(path: string, reason: string): void {
    this.skipped.push({ path, reason });
  }

  /**
   * The manifests of one manifest folder (given by its path in the tree). With a kustomization,
   * the objects kustomize builds from it (see `kustomizeBuild`); without one, every file's objects
   * in name order.
   */
  folder(folder: string, onDisk: string = folder): Manifest[] {
    const entries = readdirSync(join(this.dir, onDisk), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const texts = new Map<string, string>();
    const kustomizations: string[] = [];
    for (const entry of entries) {
      const path = posix.join(onDisk, entry.name);
      const refusal = this.refusal(entry, path);
      if (refusal === 'skipped') continue;
      if (refusal !== undefined) {
        this.refused.push(`${quotedIfUnusual(path)} (${refusal})`);
        continue;
      }
      texts.set(entry.name, readRegularFile(join(this.dir, path), MAX_INPUT_BYTES, { followSymlink: false }));
      if (KUSTOMIZATION_FILES.includes(entry.name)) kustomizations.push(entry.name);
    }
    const parse = (name: string, text: string) => {
      this.files.set(`${folder}/${name}`, text);
      return readManifests(join(this.dir, onDisk, name), text);
    };
    if (kustomizations.length === 0) return [...texts].flatMap(([name, text]) => parse(name, text));
    const [kustomizationFile] = kustomizations;
    const problem = (kind: KustomizeProblem['kind'], file: string, message: string) => this.kustomizeProblems.push({ kind, folder, file, message });
    if (kustomizations.length > 1) problem('failed', kustomizationFile, `the folder holds ${kustomizations.join(' and ')}: kustomize refuses a folder with more than one kustomization`);
    const documents = (name: string, text: string) => parseYamlDocuments(join(this.dir, onDisk, name), text);
    const build = kustomizeBuild(kustomizationFile, parseYaml(join(this.dir, onDisk, kustomizationFile), texts.get(kustomizationFile)!), texts, { manifests: parse, documents });
    for (const found of build.problems) this.kustomizeProblems.push({ ...found, folder });
    for (const name of texts.keys()) {
      if (!build.used.has(name) && !KUSTOMIZATION_FILES.includes(name)) problem('unlisted', name, `no field of ${kustomizationFile} lists it, so kubectl apply -k never applies it`);
    }
    return build.manifests;
  }

  /** Undefined for a file to read; 'skipped' for an entry that cannot be a manifest; else why a manifest candidate is refused. */
  private refusal(entry: Dirent, path: string): string | 'skipped' | undefined {
    if (!MANIFEST_NAME.test(entry.name) && !KUSTOMIZATION_FILES.includes(entry.name)) {
      this.skip(path, entry.isDirectory() ? 'a folder: a manifest folder holds its manifests directly' : 'not a .yaml or .yml file');
      return 'skipped';
    }
    if (entry.isSymbolicLink()) return 'a symlink: validate follows no link, so it never reads outside the tree';
    if (entry.isDirectory()) return 'a folder, not a file';
    if (entry.isFIFO()) return 'not a regular file: a FIFO';
    if (!entry.isFile()) return 'not a regular file: a device or a socket';
    const { size } = lstatSync(join(this.dir, path));
    if (size > MAX_INPUT_BYTES) return `${size} bytes, over the limit of ${MAX_INPUT_BYTES} bytes`;
    return undefined;
  }

  assertNothingRefused(): void {
    if (this.refused.length === 0) return;
    throw new Error(`${this.dir}: refusing to read ${this.refused.join(', ')}; a tree is validated whole or not at all, so remove or replace ${this.refused.length === 1 ? 'it' : 'them'}`);
  }
}

/** The folder the user named may be a link; nothing inside it is followed. */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readManifests(file: string, text: string): Manifest[] {
  return parseYamlDocuments(file, text).flatMap((document, position) => {
    if (document === null || document === undefined) return [];
    if (!isManifest(document)) {
      throw new Error(`${file}: document ${position + 1} is not a Kubernetes object: apiVersion, kind and metadata.name are required`);
    }
    return [document];
  });
}

/** A kustomization: one YAML document, bounded like a manifest file. */
function parseYaml(file: string, text: string): unknown {
  const documents = parseYamlDocuments(file, text).filter((document) => document !== null && document !== undefined);
  if (documents.length > 1) throw new Error(`${file}: holds ${documents.length} YAML documents; a kustomization is one`);
  return documents[0] ?? {};
}

/** The YAML documents of a file of the tree; refuses an alias bomb before anything walks it. */
function parseYamlDocuments(file: string, text: string): unknown[] {
  let documents: unknown[];
  try {
    documents = loadAll(text);
  } catch (error) {
    // js-yaml's message quotes the lines around the error: only where and why are printed.
    if (error instanceof YAMLException) {
      const at = error.mark ? `:${error.mark.line + 1}:${error.mark.column + 1}` : '';
      throw new Error(`${file}${at}: not valid YAML: ${error.reason}`);
    }
    throw error;
  }
  if (exceedsValues(documents, MAX_VALUES_PER_FILE)) {
    throw new Error(`${file}: expands to more than ${MAX_VALUES_PER_FILE} values once its YAML aliases are followed; refusing to analyze it`);
  }
  return documents;
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
