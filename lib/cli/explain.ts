import { parseArgs } from 'node:util';
import { analyzerCatalogue } from '../analyzers/catalogue';
import { quoted } from '../model/printable';
import { EXIT_INVALID, EXIT_OK, parsed, TOOL, UsageError, type CliIo } from './common';

export const EXPLAIN_USAGE = `Usage: ${TOOL} explain CODE

Prints what the analyzer (or the construct warning) behind CODE checks, why it matters in a
multicluster mesh and how to fix it (the tables of lib/analyzers/README.md). Without CODE, lists
every code.

Options:
  -h, --help      show this help
`;

export function explainCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parsed(EXPLAIN_USAGE, () => parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } }));
  if (values.help) {
    io.stdout(EXPLAIN_USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError('explain takes one code', EXPLAIN_USAGE);
  const catalogue = analyzerCatalogue();
  if (positionals.length === 0) {
    io.stdout([...catalogue.values()].map((entry) => `${entry.code}  ${entry.rules[0].severity.padEnd(7)}  ${entry.rules[0].firesWhen}\n`).join(''));
    return EXIT_OK;
  }
  const code = positionals[0].toUpperCase();
  const entry = catalogue.get(code);
  if (!entry) {
    io.stderr(`error: unknown code ${quoted(positionals[0])}; known codes: ${[...catalogue.keys()].join(', ')}\n`);
    return EXIT_INVALID;
  }
  const checks = entry.rules.map((rule) => `  - (${rule.severity}, ${rule.file}) ${rule.firesWhen}\n`).join('');
  io.stdout(`${entry.code}\n\nFires when:\n${checks}\nWhy it matters: ${entry.why}\n\nHow to fix it: ${entry.fix}\n`);
  return EXIT_OK;
}
