import { posix } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeMesh, ANALYZERS, compareFindings, FOLDER_ANALYZERS } from '../analyzers';
import { kustomizeFindings } from '../analyzers/rules/kustomize';
import { clusterFolder } from '../manifest/mesh-manifests';
import { isSuppressed } from '../analyzers/suppressions';
import { printablePath, readMeshTreeFiles } from '../io/read-mesh-tree';
import { asInputError, EXIT_INVALID, EXIT_OK, FINDINGS_OPTIONS, FINDINGS_USAGE, findingsOptions, parsed, reportFindings, TOOL, UsageError, withFindingsDocument, type CliIo } from './common';
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

export function validateCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parsed(VALIDATE_USAGE, () =>
    parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: { ...FINDINGS_OPTIONS, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help) {
    io.stdout(VALIDATE_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('validate takes exactly one folder', VALIDATE_USAGE);
  const options = findingsOptions(values, VALIDATE_USAGE);
  const [dir] = positionals;
  const { findings, failed } = withFindingsDocument(io, options, () => {
    const tree = asInputError(() => readMeshTreeFiles(dir));
    const { manifests } = tree;
    const clusterOf = (folder: string) => [...manifests.clusters.keys()].find((cluster) => clusterFolder(cluster) === folder) ?? manifests.controlPlaneCluster;
    const built = kustomizeFindings(tree.kustomizeProblems, clusterOf);
    const analyzed = analyzeMesh(manifests, undefined, tree.singleFolder ? FOLDER_ANALYZERS : ANALYZERS);
    const kept = [...built, ...analyzed].sort(compareFindings).filter((finding) => !isSuppressed(finding, options.suppress));
    const skipped = tree.skipped.map(({ path, reason }) => ({ level: 'note' as const, message: `skipped ${printablePath(posix.join(dir, path))} unread: ${reason}` }));
    const objectFiles = objectFilesOfTree(tree.files, dir, tree.onDisk);
    const problemFiles = new Map(built.map((finding) => [finding, { file: posix.join(dir, tree.onDisk(finding.folder), finding.object), line: 1 }]));
    return { findings: kept, failed: reportFindings(kept, io, options, (finding) => problemFiles.get(finding) ?? objectFiles(finding), skipped) };
  });
  if (failed) return EXIT_INVALID;
  (options.format === 'text' ? io.stdout : io.stderr)(`${dir}: no errors (${findings.length} finding(s))\n`);
  return EXIT_OK;
}
