import { posix } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeMesh } from '../analyzers';
import { isSuppressed } from '../analyzers/suppressions';
import { readMeshTreeFiles } from '../io/read-mesh-tree';
import { printablePath, quotedIfUnusual } from '../model/printable';
import { asInputError, EXIT_INVALID, EXIT_OK, FINDINGS_OPTIONS, FINDINGS_USAGE, findingsOptions, parsed, reportFindings, TOOL, UsageError, withFindingsDocument, type CliIo } from './common';
import { objectFilesOfTree } from './object-files';

export const VALIDATE_USAGE = `Usage: ${TOOL} validate DIR [options]

Runs the analyzers, schema checks included, over DIR/clusters/<name>/*.yaml and DIR/control-plane/*.yaml.
Reads nothing else: no symlink is followed, and other entries are skipped and listed.

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
    const kept = analyzeMesh(tree.manifests).filter((finding) => !isSuppressed(finding, options.suppress));
    const skipped = tree.skipped.map(({ path, reason }) => ({ level: 'note' as const, message: `skipped ${quotedIfUnusual(posix.join(dir, path))} unread: ${reason}` }));
    return { findings: kept, failed: reportFindings(kept, io, options, objectFilesOfTree(tree.files, dir), skipped) };
  });
  if (failed) return EXIT_INVALID;
  (options.format === 'text' ? io.stdout : io.stderr)(`${printablePath(dir)}: no errors (${findings.length} finding(s))\n`);
  return EXIT_OK;
}
