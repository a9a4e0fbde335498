import type { IstioMesh } from '../../constructs/istio-mesh';
import { MESH_FACTS } from '../../constructs/mesh-registry';
import { meshTrust } from '../../constructs/mesh-trust';
import { formatFinding, type Finding } from '../analyzers/finding';
import type { Suppression } from '../analyzers/suppressions';
import { printable, type ConstructWarning } from '../errors';
import { DistinctManifests } from '../manifest/distinct-manifests';
import { INSTALL_README } from '../manifest/install-layout';
import type { MeshManifests } from '../manifest/mesh-manifests';
import { meshFindings } from './mesh-findings';
import { synthesizeMesh } from './synthesize-mesh';
import { GITOPS_FOLDER, renderGitops, type GitopsOptions } from '../writer/gitops';
import { renderInstallReadme } from '../writer/install-readme';
import { renderReadme } from '../writer/readme';
import { renderTree } from '../writer/render-tree';
import { writeTree } from '../writer/write-tree';

/** Options of `synthesizeOutput` and `writeMesh`. */
export interface MeshOutputOptions {
  /**
   * Also write `gitops/`: an Argo CD app of apps or Flux Kustomizations that deliver the folders in phases.
   * @default - no GitOps objects
   */
  readonly gitops?: GitopsOptions;
  /**
   * Treat warnings, the analyzers' and the constructs', as errors.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Findings to drop before anything else looks at them (`--suppress`): a suppressed error does
   * not stop the output from being written.
   * @default - none
   */
  readonly suppress?: readonly Suppression[];
}

/** Everything a synth produces, before anything is written. */
export interface MeshOutput {
  readonly manifests: MeshManifests;
  /**
   * What the analyzers found and the constructs warned about (MCL0060-MCL0069), in one list,
   * errors first, less the suppressed findings.
   */
  readonly findings: readonly Finding[];
  /** The constructs' warnings that are in `findings`, as raised: code, construct path, cluster, message, hint. */
  readonly constructWarnings: readonly ConstructWarning[];
  /** The findings `suppress` hid, sorted as `findings`. */
  readonly suppressed: readonly Finding[];
  /**
   * Relative path -> content of the whole output tree; empty when the analyzers found errors,
   * since nothing is written then (and duplicate objects, MCL0001, have no file of their own).
   */
  readonly tree: ReadonlyMap<string, string>;
}

/**
 * The whole pipeline short of writing: constructs -> manifests -> analyzers -> the output tree
 * (folders, kustomizations, install values, `README.md`, `gitops/`).
 */
export function synthesizeOutput(mesh: IstioMesh, options: MeshOutputOptions = {}): MeshOutput {
  const synthesized = synthesizeMesh(mesh);
  // Which objects are copies, found once for the analyzers, the README and the renderer.
  const distinct = new DistinctManifests();
  const { findings, constructWarnings, suppressed } = meshFindings(synthesized, options.suppress, distinct);
  const { manifests } = synthesized;
  if (failingFindings(findings).length > 0) return { manifests, findings, constructWarnings, suppressed, tree: new Map() };
  const files = new Map(synthesized.files);
  const helmInstall = mesh.registry.read(MESH_FACTS.helmInstall);
  // With Helm, the GitOps objects install Istio's charts too, with the values of the files under install/.
  const charts = helmInstall ? { chartVersion: helmInstall.chartVersion, files: synthesized.files } : undefined;
  files.set('README.md', renderReadme(mesh.model, synthesized.manifests, { gitops: options.gitops?.tool, distinct, charts, trust: meshTrust(mesh), installWritten: helmInstall !== undefined }));
  if (helmInstall) files.set(INSTALL_README, renderInstallReadme(mesh.model, helmInstall.chartVersion, meshTrust(mesh)));
  if (options.gitops) {
    for (const [path, content] of renderGitops(mesh.model, options.gitops, manifests, charts)) files.set(`${GITOPS_FOLDER}/${path}`, content);
  }
  return { manifests, findings, constructWarnings, suppressed, tree: renderTree(manifests, files, distinct) };
}

/** The findings that fail a synth: errors, and warnings too when strict. */
export function failingFindings(findings: readonly Finding[], strict = false): Finding[] {
  return findings.filter((finding) => finding.severity === 'error' || (strict && finding.severity === 'warning'));
}

/**
 * Synthesizes a mesh and writes it to `outdir`, the way the CLI does: what `MeshApp.synth()` runs. Throws, listing every problem, without touching `outdir` when the
 * analyzers find errors (or, when strict, anything warns).
 */
export function writeMesh(mesh: IstioMesh, outdir: string, options: MeshOutputOptions = {}): MeshOutput {
  const output = synthesizeOutput(mesh, options);
  const problems = failingFindings(output.findings, options.strict).map((finding) => printable(formatFinding(finding)));
  if (problems.length > 0) {
    throw new Error(`The mesh has ${problems.length} problem(s); ${outdir} was not touched:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  writeTree(output.tree, outdir);
  return output;
}
