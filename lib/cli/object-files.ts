import { posix } from 'node:path';
import { loadAll } from 'js-yaml';
import type { Finding } from '../analyzers/finding';
import { fieldLine } from './field-line';
import { clusterFolder, CONTROL_PLANE_FOLDER, manifestFileName, objectRef, type Manifest, type MeshManifests } from '../manifest/mesh-manifests';

/** Where an object is written: a file path and the line its document starts on. */
export interface ObjectFile {
  readonly file: string;
  readonly line: number;
}

/** Finds the file of each finding's object; a finding whose object is in no file keeps none. */
export type ObjectFiles = (finding: Finding) => ObjectFile | undefined;

/** Where an object of a tree was read: its file, the line its document starts on and the document's lines. */
interface ReadDocument {
  readonly file: string;
  readonly start: number;
  readonly lines: readonly string[];
}

/**
 * Indexes the objects of a tree of YAML files (relative path -> text) by folder and object, so a
 * finding can name its file and line: the line of the field its JSON path names (field-line.ts),
 * else of the object. `prefix` is prepended to every path (the tree's folder), after `onDisk`
 * maps it to where the file is (a cluster folder validated on its own). Documents that do not
 * parse are skipped here: reading the tree reports them.
 */
export function objectFilesOfTree(tree: ReadonlyMap<string, string>, prefix: string, onDisk: (path: string) => string = (path) => path): ObjectFiles {
  const documents = new Map<string, ReadDocument>();
  for (const [path, text] of tree) {
    if (!/\.ya?ml$/.test(path)) continue;
    let line = 1;
    for (const document of text.split(/^---[ \t]*$/m)) {
      const start = line;
      const lines = document.split('\n');
      line += lines.length - 1;
      for (const manifest of parsed(document)) {
        const key = objectKey(posix.dirname(path), objectRef(manifest));
        if (!documents.has(key)) documents.set(key, { file: posix.join(prefix, onDisk(path)), start, lines });
      }
    }
  }
  return (finding) => {
    const read = documents.get(objectKey(finding.folder, finding.object));
    return read && { file: read.file, line: read.start + (fieldLine(read.lines, finding.path ?? '') ?? 0) };
  };
}

/**
 * The files `synth` writes (or would write, when findings stop it) each object to: one file per
 * object, named by `manifestFileName`, under `prefix`.
 */
export function objectFilesOfMesh(manifests: MeshManifests, prefix: string): ObjectFiles {
  const files = new Map<string, ObjectFile>();
  const folders: [string, readonly Manifest[]][] = [...[...manifests.clusters].map(([cluster, objects]): [string, readonly Manifest[]] => [clusterFolder(cluster), objects]), [CONTROL_PLANE_FOLDER, manifests.controlPlane]];
  for (const [folder, objects] of folders) {
    for (const manifest of objects) files.set(objectKey(folder, objectRef(manifest)), { file: posix.join(prefix, folder, manifestFileName(manifest)), line: 1 });
  }
  return (finding) => files.get(objectKey(finding.folder, finding.object));
}

function objectKey(folder: string, object: string): string {
  return `${folder}\u0000${object}`;
}

function parsed(document: string): Manifest[] {
  try {
    return (loadAll(document) as unknown[]).filter((value): value is Manifest => {
      const candidate = value as Partial<Manifest> | null;
      return typeof candidate?.kind === 'string' && typeof candidate.metadata?.name === 'string';
    });
  } catch {
    return [];
  }
}
