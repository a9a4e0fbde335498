import { posix } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeMesh, ANALYZERS, compareFindings, FOLDER_ANALYZERS } from '../analyzers';
import { kustomizeFindings } from '../analyzers/rules/kustomize';
import { partitionSuppressed } from '../analyzers/suppressions';
import { readMeshTreeFiles } from '../io/read-mesh-tree';
import { clusterFolder } from '../manifest/mesh-manifests';
import { printablePath, quotedIfUnusual } from '../model/printable';
import { asInputError, EXIT_INVALID, EXIT_OK, FINDINGS_OPTIONS, FINDINGS_USAGE, findingCounts, findingsOptions, parsed, reportFindings, reportSuppressionProblems, TOOL, UsageError, withFindingsDocument, type CliIo } from './common';
import { objectFilesOfTree } from './object-files';

export const VALIDATE_USAGE = `Usage: ${TOOL} validate DIR [options]

Runs the analyzers, schema checks included, over DIR/clusters/<name>/ and DIR/control-plane/ as
kubectl apply -k builds each folder from its kustomization.yaml (resources, patches, namespace,
labels; other fields are reported as not checked), or over DIR alone when it is one cluster folder
(checks of single objects and folders only). A file a kustomization lists that is missing, and a
manifest file none lists, are errors. Reads nothing else: no symlink is followed, and other
entries are skipped and listed.

Options:
${FINDINGS_USAGE}
      --debug                   print stack traces of unexpected errors
  -h, --help                    show this help
`;

/** validate's flags, as its parser and the shell completion read them. */
export const VALIDATE_OPTIONS = { ...FINDINGS_OPTIONS, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function validateCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parsed(VALIDATE_USAGE, () =>
    parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: VALIDATE_OPTIONS,
    }),
  );
  if (values.help) {
    io.stdout(VALIDATE_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('validate takes exactly one folder', VALIDATE_USAGE);
  const options = findingsOptions(values, VALIDATE_USAGE);
  const [dir] = positionals;
  const { findings, suppressed, failed } = withFindingsDocument(io, options, () => {
    const tree = asInputError(() => readMeshTreeFiles(dir));
    const { manifests } = tree;
    const clusterOf = (folder: string) => [...manifests.clusters.keys()].find((cluster) => clusterFolder(cluster) === folder) ?? manifests.controlPlaneCluster;
    const built = kustomizeFindings(tree.kustomizeProblems, clusterOf);
    const analyzed = analyzeMesh(manifests, undefined, tree.singleFolder ? FOLDER_ANALYZERS : ANALYZERS);
    const { kept, suppressed: hidden } = partitionSuppressed([...built, ...analyzed].sort(compareFindings), options.suppress);
    const skipped = tree.skipped.map(({ path, reason }) => ({ level: 'note' as const, message: `skipped ${quotedIfUnusual(posix.join(dir, path))} unread: ${reason}` }));
    const objectFiles = objectFilesOfTree(tree.files, dir, tree.onDisk);
    const problemFiles = new Map(built.map((finding) => [finding, { file: posix.join(dir, tree.onDisk(finding.folder), finding.object), line: 1 }]));
    return { findings: kept, suppressed: hidden, failed: reportFindings(kept, io, options, (finding) => problemFiles.get(finding) ?? objectFiles(finding), skipped) };
  });
  reportSuppressionProblems(options, suppressed, io);
  // The counts go with the findings' verdict: stdout for a passing text run, else stderr (stdout stays one json/sarif document).
  (failed || options.format !== 'text' ? io.stderr : io.stdout)(`${printablePath(dir)}: ${findingCounts(findings, suppressed.length)}\n`);
  return failed ? EXIT_INVALID : EXIT_OK;
}
