import { posix } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeMesh } from '../analyzers';
import { partitionSuppressed } from '../analyzers/suppressions';
import { readMeshTreeFiles } from '../io/read-mesh-tree';
import { printablePath, quotedIfUnusual } from '../model/printable';
import { asInputError, EXIT_INVALID, EXIT_OK, FINDINGS_OPTIONS, FINDINGS_USAGE, findingCounts, findingsOptions, parsed, reportFindings, reportSuppressionProblems, TOOL, UsageError, withFindingsDocument, type CliIo } from './common';
import { objectFilesOfTree } from './object-files';

export const VALIDATE_USAGE = `Usage: ${TOOL} validate DIR [options]

Runs the analyzers, schema checks included, over DIR/clusters/<name>/*.yaml and DIR/control-plane/*.yaml.
Reads nothing else: no symlink is followed, and other entries are skipped and listed.

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
    const { kept, suppressed: hidden } = partitionSuppressed(analyzeMesh(tree.manifests), options.suppress);
    const skipped = tree.skipped.map(({ path, reason }) => ({ level: 'note' as const, message: `skipped ${quotedIfUnusual(posix.join(dir, path))} unread: ${reason}` }));
    return { findings: kept, suppressed: hidden, failed: reportFindings(kept, io, options, objectFilesOfTree(tree.files, dir), skipped) };
  });
  reportSuppressionProblems(options, suppressed, io);
  // The counts go with the findings' verdict: stdout for a passing text run, else stderr (stdout stays one json/sarif document).
  (failed || options.format !== 'text' ? io.stderr : io.stdout)(`${printablePath(dir)}: ${findingCounts(findings, suppressed.length)}\n`);
  return failed ? EXIT_INVALID : EXIT_OK;
}
