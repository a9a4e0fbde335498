import { parseArgs } from 'node:util';
import { load } from 'js-yaml';
import { buildMesh } from '../synth/build-mesh';
import { loadInventory } from '../inventory/load-inventory';
import { synthesizeOutput, type MeshOutput } from '../synth/synth-output';
import { clusterFolder, CONTROL_PLANE_FOLDER } from '../manifest/mesh-manifests';
import { GITOPS_TOOLS, isGitopsTool, NO_GITOPS, repoSecretProblem, repoUrlProblem, type GitopsOptions } from '../writer/gitops';
import { KUSTOMIZATION_FILE } from '../writer/render-tree';
import { compareTree, writeTree } from '../writer/write-tree';
import { asInputError, EXIT_INVALID, EXIT_OK, FINDINGS_OPTIONS, FINDINGS_USAGE, findingCounts, findingsOptions, InputError, paint, parsed, reportFindings, reportSuppressionProblems, TOOL, UsageError, withFindingsDocument, type CliIo } from './common';
import { printable, printablePath, quoted } from '../model/printable';
import { compareFindings } from '../analyzers';
import type { Finding } from '../analyzers/finding';
import { changeFindings } from '../analyzers/rules/changes';
import { partitionSuppressed, type Suppression } from '../analyzers/suppressions';
import { planOutputChanges } from '../io/output-changes';
import type { ChangePlan } from '../manifest/change-plan';
import type { MeshManifests } from '../manifest/mesh-manifests';
import { changeReport } from './change-report';
import type { RunNotice } from './findings-output';
import { objectFilesOfMesh } from './object-files';
import { withSecretDataHidden } from './secret-data';
import { unifiedDiff, unifiedDiffHeader } from './unified-diff';

/** `-o -`: the output goes to stdout as one YAML stream instead of a folder. */
const STDOUT = '-';

export const SYNTH_USAGE = `Usage: ${TOOL} synth --inventory FILE [options]

Options:
  -i, --inventory FILE          the inventory (YAML) to synthesize (required)
  -o, --out DIR                 output folder (default: dist); - streams the manifests to stdout
                                as one multi-document YAML, each prefixed by "# Source: <file>"
      --cluster NAME            with -o -: only what is applied to cluster NAME (its folder, and
                                control-plane/ when NAME is the control-plane cluster)
      --check                   write nothing; exit 1 and list each file that changed, is missing or is extra
                                (synth and --check both report what applying the new tree over DIR adds,
                                changes and removes, and fail on a change the API server refuses, MCL0110-MCL0112)
      --diff                    with --check: print a unified diff of each differing file to stdout
${FINDINGS_USAGE}
      --allow-inline-credentials
                                write tokens from the inventory into the remote secrets
      --gitops TOOL             also write gitops/ for argocd or flux (default: none)
      --repo-url URL            the Git repository the output is committed to (with --gitops)
      --revision REV            branch or revision to deliver (default: main)
      --base-path PATH          where the output folder sits in that repository (default: dist)
      --repo-secret NAME        with --gitops flux: the Secret holding the credentials of a private
                                repository (GitRepository spec.secretRef; Argo CD keeps its own)
      --debug                   print stack traces of unexpected errors
  -h, --help                    show this help
`;

/** synth's flags, as its parser and the shell completion read them. */
export const SYNTH_OPTIONS = {
  'inventory': { type: 'string', short: 'i' },
  'out': { type: 'string', short: 'o' },
  'cluster': { type: 'string' },
  'check': { type: 'boolean' },
  'diff': { type: 'boolean' },
  ...FINDINGS_OPTIONS,
  'allow-inline-credentials': { type: 'boolean' },
  'gitops': { type: 'string' },
  'repo-url': { type: 'string' },
  'revision': { type: 'string' },
  'base-path': { type: 'string' },
  'repo-secret': { type: 'string' },
  'debug': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

export function synthCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parsed(SYNTH_USAGE, () => parseArgs({ args: [...args], strict: true, allowPositionals: true, options: SYNTH_OPTIONS }));
  if (values.help) {
    io.stdout(SYNTH_USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 0) {
    const hint = !values.inventory && /\.ya?ml$/i.test(positionals[0]) ? `; the inventory is an option: ${TOOL} synth -i ${positionals[0]}` : '';
    throw new UsageError(`unexpected argument "${positionals[0]}"${hint}`, SYNTH_USAGE);
  }
  const inventoryFile = values.inventory;
  if (!inventoryFile) throw new UsageError('--inventory FILE is required', SYNTH_USAGE);
  if (values.out === '') throw new UsageError('--out names an empty folder path; give a folder, e.g. --out dist', SYNTH_USAGE);
  const outdir = values.out ?? 'dist';
  // As messages show the folder: escaped, never starting a line with anything but a path.
  const shownOut = printablePath(outdir);
  const toStdout = outdir === STDOUT;
  if (values.cluster !== undefined && !toStdout) throw new UsageError('--cluster only applies with -o - (stream one cluster to stdout)', SYNTH_USAGE);
  if (values.diff && !values.check) throw new UsageError('--diff only applies with --check', SYNTH_USAGE);
  if (values.check && toStdout) throw new UsageError('--check compares a folder; it does not apply with -o -', SYNTH_USAGE);
  const findingsOutput = findingsOptions(values, SYNTH_USAGE);
  if (toStdout && findingsOutput.format !== 'text') throw new UsageError(`-o - and --format ${findingsOutput.format} both write to stdout; choose one`, SYNTH_USAGE);
  const gitops = gitopsOptions(values);

  const { output, changes, findings, suppressed, failed } = withFindingsDocument(io, findingsOutput, () => {
    const inventory = loadInventory(inventoryFile);
    const synthesized = synthesizeOutput(buildMesh(inventory, { allowInlineCredentials: values['allow-inline-credentials'] }), { gitops, suppress: findingsOutput.suppress });
    // What applying the new tree over the old one does joins the analyzers' findings: one stream, one pass/fail rule.
    const changes = toStdout || synthesized.tree.size === 0 ? NO_CHANGES : outputChanges(outdir, synthesized.manifests, findingsOutput.suppress);
    const all = [...synthesized.findings, ...changes.findings].sort(compareFindings);
    // The constructs' warnings are among the findings: one stream, one pass/fail rule, one count.
    const reported = reportFindings(all, io, findingsOutput, objectFilesOfMesh(synthesized.manifests, toStdout ? '' : outdir), changes.notices);
    return { output: synthesized, changes, findings: all, suppressed: [...synthesized.suppressed, ...changes.suppressed].sort(compareFindings), failed: reported };
  });
  const { manifests, tree } = output;
  reportSuppressionProblems(findingsOutput, suppressed, io);
  const counts = `${findingCounts(findings, suppressed.length)}\n`;
  if (failed) {
    // The report goes with the findings about the changes; a mesh failing for other reasons is about the mesh.
    io.stderr(`${changes.findings.length > 0 ? changes.report : ''}${counts}`);
    const changeErrors = [...new Set(changes.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.code))];
    const what = changeErrors.length > 0
      ? `applying the new tree over what ${shownOut}/ holds would fail or cut clusters off (see the ${changeErrors.join(', ')} findings)`
      : findings.some((finding) => finding.severity === 'error') ? 'the mesh has errors' : 'the mesh has warnings and --strict (--fail-on warning) makes them fail';
    io.stderr(`${paint(io, 'red', 'error:')} ${what}; ${toStdout ? 'nothing was printed' : `${shownOut}/ was not touched`}\n`);
    return EXIT_INVALID;
  }
  if (toStdout) {
    io.stdout(yamlStream(output, values.cluster));
    io.stderr(counts);
    return EXIT_OK;
  }
  // A passing text run ends on stdout; json and sarif keep stdout to their one document.
  const summaryOut = findingsOutput.format === 'text' ? io.stdout : io.stderr;
  if (values.check) {
    const status = check(tree, outdir, printable(inventoryFile), values.diff === true, io);
    (status === EXIT_OK ? summaryOut : io.stderr)(`${status === EXIT_OK ? '' : changes.report}${counts}`);
    return status;
  }
  asInputError(() => writeTree(tree, outdir));
  summaryOut(`${summary(shownOut, manifests.clusters, manifests.controlPlane.length)}${changes.report}${counts}`);
  return EXIT_OK;
}

/** What comparing the new tree with the one in the output folder found: the report to print, findings and notes. */
interface OutputChanges {
  /** The change report, '' when there is nothing to compare with. */
  readonly report: string;
  readonly findings: readonly Finding[];
  readonly suppressed: readonly Finding[];
  readonly notices: readonly RunNotice[];
}

const NO_CHANGES: OutputChanges = { report: '', findings: [], suppressed: [], notices: [] };

/** Compares the new tree with the one in `outdir` (none there yet: nothing to report; one that cannot be read: a note). */
function outputChanges(outdir: string, manifests: MeshManifests, suppress: readonly Suppression[]): OutputChanges {
  let plan: ChangePlan | undefined;
  try {
    plan = planOutputChanges(outdir, manifests);
  } catch (error) {
    return { ...NO_CHANGES, notices: [{ level: 'note', message: `what applying the new tree changes is not reported: the tree in ${outdir} cannot be read (${(error as Error).message})` }] };
  }
  if (plan === undefined) return NO_CHANGES;
  const { kept, suppressed } = partitionSuppressed(changeFindings(plan), suppress);
  return { report: changeReport(plan, outdir), findings: kept, suppressed, notices: [] };
}

/** `inventory` as messages show it. */
function check(tree: ReadonlyMap<string, string>, outdir: string, inventory: string, diff: boolean, io: CliIo): number {
  const { changed, missing, extra, actual } = compareTree(tree, outdir);
  const shownOut = printablePath(outdir);
  if (actual.size === 0) {
    io.stderr(`${shownOut}/ does not exist or is empty; run synth without --check to write it\n`);
    return EXIT_INVALID;
  }
  const differing = changed.length + missing.length + extra.length;
  if (differing === 0) {
    io.stdout(`${shownOut}/ is up to date with ${inventory}\n`);
    return EXIT_OK;
  }
  const lines = [
    ...changed.map((path) => `  changed: ${printable(path)}`),
    ...missing.map((path) => `  missing: ${printable(path)}`),
    ...extra.map((path) => `  extra:   ${printable(path)}`),
  ];
  io.stderr(`${shownOut}/ is not what ${inventory} produces; ${differing} file(s) differ:\n${lines.join('\n')}\n`);
  if (diff) {
    for (const path of [...changed, ...missing, ...extra].sort()) {
      const { before, after, withheld } = withSecretDataHidden(path, actual.get(path), tree.get(path));
      io.stdout(withheld === undefined ? unifiedDiff(path, before, after) : unifiedDiffHeader(path, before, after) + `(${withheld})\n`);
    }
  }
  return EXIT_INVALID;
}

/**
 * The manifests as one multi-document YAML, folder by folder in apply order (each folder's
 * kustomization order), each document prefixed by `# Source: <folder>/<file>` as `helm template`
 * does. With a cluster, only its folder and, for the control-plane cluster, control-plane/.
 */
function yamlStream({ manifests, tree }: MeshOutput, cluster: string | undefined): string {
  const clusters = [...manifests.clusters.keys()];
  if (cluster !== undefined && !clusters.includes(cluster)) {
    throw new UsageError(`--cluster ${quoted(cluster)}: no such cluster (clusters: ${clusters.join(', ')})`, SYNTH_USAGE);
  }
  const folders = (cluster === undefined ? clusters : [cluster]).map(clusterFolder);
  if (cluster === undefined || cluster === manifests.controlPlaneCluster) folders.push(CONTROL_PLANE_FOLDER);
  const documents = folders.flatMap((folder) => {
    const { resources } = load(tree.get(`${folder}/${KUSTOMIZATION_FILE}`) ?? '') as { resources: string[] };
    return resources.map((file) => `# Source: ${folder}/${file}\n${tree.get(`${folder}/${file}`) ?? ''}`);
  });
  return documents.map((document) => `---\n${document}`).join('');
}

function gitopsOptions(values: { 'gitops'?: string; 'repo-url'?: string; 'revision'?: string; 'base-path'?: string; 'repo-secret'?: string }): GitopsOptions | undefined {
  const tool = values.gitops ?? NO_GITOPS;
  if (tool === NO_GITOPS) {
    const stray = (['repo-url', 'revision', 'base-path', 'repo-secret'] as const).filter((flag) => values[flag] !== undefined);
    if (stray.length > 0) throw new UsageError(`${stray.map((flag) => `--${flag}`).join(', ')} only apply with --gitops argocd|flux`, SYNTH_USAGE);
    return undefined;
  }
  if (!isGitopsTool(tool)) throw new UsageError(`--gitops must be ${GITOPS_TOOLS.join(', ')} or ${NO_GITOPS}, got ${quoted(tool)}`, SYNTH_USAGE);
  if (!values['repo-url']) throw new UsageError(`--gitops ${tool} needs --repo-url URL`, SYNTH_USAGE);
  const repoUrlIssue = repoUrlProblem(values['repo-url'], tool);
  // A value the tool cannot use, like an invalid inventory: exit 1, before anything is written.
  if (repoUrlIssue) throw new InputError(`--repo-url ${repoUrlIssue}`);
  const repoSecret = values['repo-secret'];
  const repoSecretIssue = repoSecret === undefined ? undefined : repoSecretProblem(repoSecret, tool);
  if (repoSecretIssue) throw new UsageError(`--repo-secret ${repoSecretIssue}`, SYNTH_USAGE);
  return { tool, repoUrl: values['repo-url'], revision: values.revision, basePath: values['base-path'], ...(repoSecret === undefined ? {} : { repoSecret }) };
}

function summary(outdir: string, clusters: ReadonlyMap<string, readonly unknown[]>, controlPlaneObjects: number): string {
  const lines = [`Synthesized ${clusters.size} cluster(s) into ${outdir}/`];
  for (const [name, manifests] of clusters) lines.push(`  clusters/${name}/  ${manifests.length} objects`);
  lines.push(`  control-plane/  ${controlPlaneObjects} objects`);
  return `${lines.join('\n')}\n`;
}
