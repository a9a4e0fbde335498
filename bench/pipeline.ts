/**
 * The synth pipeline of `writeMesh`, stage by stage, so the bench can time each stage of one run:
 * model -> constructs -> synthesizeMesh -> analyzers -> render -> atomic write. It calls the same
 * functions in the same order as `synthesizeOutput` + `writeMesh` (no GitOps); the output-bytes
 * test checks that it writes exactly what `writeMesh` writes.
 */
import { load } from 'js-yaml';
import { MESH_FACTS } from '../constructs/mesh-registry';
import { analyzeMesh } from '../lib/analyzers';
import { formatFinding } from '../lib/analyzers/finding';
import { failingFindings } from '../lib/synth/synth-output';
import { DistinctManifests } from '../lib/manifest/distinct-manifests';
import { INSTALL_README } from '../lib/manifest/install-layout';
import type { Manifest, MeshManifests } from '../lib/manifest/mesh-manifests';
import { CONTROL_PLANE_FOLDER, clusterFolder, manifestFileName } from '../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../lib/synth/synthesize-mesh';
import { renderInstallReadme } from '../lib/writer/install-readme';
import { renderReadme } from '../lib/writer/readme';
import { KUSTOMIZATION_FILE, renderTree } from '../lib/writer/render-tree';
import { writeTree } from '../lib/writer/write-tree';
import type { FloorFile } from './floor';
import { buildSyntheticConstructs, syntheticModel, type SyntheticMeshSize } from './synthetic-mesh';

export { writeFloor, type FloorFile } from './floor';

export const STAGES = ['model', 'constructs', 'synth', 'analyze', 'render', 'write'] as const;
export type Stage = (typeof STAGES)[number];

export interface PipelineRun {
  /** Milliseconds per stage. */
  readonly stages: Readonly<Record<Stage, number>>;
  /** Milliseconds of the whole pipeline, start to end. */
  readonly totalMs: number;
  readonly manifests: MeshManifests;
  /** The output tree as written (relative path -> content). */
  readonly tree: ReadonlyMap<string, string>;
}

const now = () => performance.now();

/** Builds and writes a synthetic mesh into `outdir` (atomically, as `writeMesh` does), timing each stage. */
export function runPipeline(size: SyntheticMeshSize, outdir: string): PipelineRun {
  const stages = {} as Record<Stage, number>;
  const start = now();
  let mark = start;
  const lap = (stage: Stage) => {
    const t = now();
    stages[stage] = t - mark;
    mark = t;
  };
  const model = syntheticModel(size);
  lap('model');
  const mesh = buildSyntheticConstructs(model, size);
  lap('constructs');
  const synthesized = synthesizeMesh(mesh);
  lap('synth');
  const distinct = new DistinctManifests();
  const findings = analyzeMesh(synthesized.manifests, distinct);
  const failing = failingFindings(findings);
  if (failing.length > 0) throw new Error(`The synthetic mesh has ${failing.length} error(s):\n${failing.map((f) => `  ${formatFinding(f)}`).join('\n')}`);
  lap('analyze');
  const files = new Map(synthesized.files);
  files.set('README.md', renderReadme(mesh.model, synthesized.manifests, { gitops: undefined, distinct }));
  const helmInstall = mesh.registry.read(MESH_FACTS.helmInstall);
  if (helmInstall) files.set(INSTALL_README, renderInstallReadme(mesh.model, helmInstall.chartVersion));
  const tree = renderTree(synthesized.manifests, files, distinct);
  lap('render');
  writeTree(tree, outdir);
  lap('write');
  return { stages, totalMs: now() - start, manifests: synthesized.manifests, tree };
}

/**
 * What the floor writes: every object of the tree (manifests, and the kustomizations as objects)
 * at its path, plus the text files (README, install values) as rendered. Built before timing.
 */
export function floorFiles(manifests: MeshManifests, tree: ReadonlyMap<string, string>): FloorFile[] {
  const files: FloorFile[] = [];
  const objectPaths = new Set<string>();
  const folders: [string, readonly Manifest[]][] = [...[...manifests.clusters].map(([cluster, list]) => [clusterFolder(cluster), list] as [string, readonly Manifest[]]), [CONTROL_PLANE_FOLDER, manifests.controlPlane]];
  for (const [folder, list] of folders) {
    const resources: string[] = [];
    for (const manifest of list) {
      const name = manifestFileName(manifest);
      files.push([`${folder}/${name}`, manifest]);
      objectPaths.add(`${folder}/${name}`);
      resources.push(name);
    }
    // The kustomization lists its files in apply order: take that order from the tree.
    const ordered = (load(tree.get(`${folder}/${KUSTOMIZATION_FILE}`)!) as { resources: string[] }).resources;
    if ([...ordered].sort().join('\n') !== [...resources].sort().join('\n')) throw new Error(`floor: ${folder}/${KUSTOMIZATION_FILE} does not list the folder's objects`);
    files.push([`${folder}/${KUSTOMIZATION_FILE}`, { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ordered }]);
    objectPaths.add(`${folder}/${KUSTOMIZATION_FILE}`);
  }
  for (const [path, content] of tree) if (!objectPaths.has(path)) files.push([path, content]);
  return files;
}
