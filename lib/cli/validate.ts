import { parseArgs } from 'node:util';
import { analyzeMesh } from '../analyzers';
import { isSuppressed } from '../analyzers/suppressions';
import { readMeshTree } from '../io/read-mesh-tree';
import { readTree } from '../writer/write-tree';
import { asInputError, EXIT_INVALID, EXIT_OK, FINDINGS_OPTIONS, FINDINGS_USAGE, findingsOptions, parsed, reportFindings, TOOL, UsageError, type CliIo } from './common';
import { printablePath } from '../model/printable';
import { objectFilesOfTree } from './object-files';

export const VALIDATE_USAGE = `Usage: ${TOOL} validate DIR [options]

Runs the analyzers, schema checks included, over DIR/clusters/<name>/*.yaml and DIR/control-plane/*.yaml.

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
  const findings = analyzeMesh(asInputError(() => readMeshTree(dir))).filter((finding) => !isSuppressed(finding, options.suppress));
  const failed = reportFindings(findings, io, options, objectFilesOfTree(readTree(dir), dir));
  if (failed) return EXIT_INVALID;
  (options.format === 'text' ? io.stdout : io.stderr)(`${printablePath(dir)}: no errors (${findings.length} finding(s))\n`);
  return EXIT_OK;
}
