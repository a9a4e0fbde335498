import { parseArgs } from 'node:util';
import { analyzerCatalogue, type CatalogueEntry } from '../analyzers/catalogue';
import { quoted } from '../model/printable';
import { EXIT_INVALID, EXIT_OK, parsed, TOOL, UsageError, type CliIo } from './common';

/** How `explain` prints: plain `text` for a terminal or a pipe alike, or the catalogue's own `markdown`. */
export const EXPLAIN_FORMATS = ['text', 'markdown'] as const;
type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];

export const EXPLAIN_USAGE = `Usage: ${TOOL} explain [CODE] [options]

Prints what the analyzer (or the construct warning) behind CODE checks, why it matters in a
multicluster mesh and how to fix it (the tables of lib/analyzers/README.md). Without CODE, lists
every code, sorted.

Options:
      --format FORMAT   text (default): plain text, on a terminal or a pipe alike; markdown: the
                        catalogue's Markdown, with the source file of each rule
  -h, --help            show this help
`;

/** explain's flags, as its parser and the shell completion read them. */
export const EXPLAIN_OPTIONS = { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export function explainCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parsed(EXPLAIN_USAGE, () => parseArgs({ args: [...args], strict: true, allowPositionals: true, options: EXPLAIN_OPTIONS }));
  if (values.help) {
    io.stdout(EXPLAIN_USAGE);
    return EXIT_OK;
  }
  const format = values.format ?? 'text';
  if (!isExplainFormat(format)) throw new UsageError(`--format must be one of ${EXPLAIN_FORMATS.join(', ')}, got ${quoted(format)}`, EXPLAIN_USAGE);
  if (positionals.length > 1) throw new UsageError('explain takes one code', EXPLAIN_USAGE);
  const catalogue = analyzerCatalogue();
  // Code-point order (the catalogue keeps the README's grouping by subject).
  const entries = [...catalogue.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  if (positionals.length === 0) {
    io.stdout(format === 'markdown' ? markdownList(entries) : entries.map((entry) => `${entry.code}  ${entry.rules[0].severity.padEnd(7)}  ${plain(entry.rules[0].firesWhen)}\n`).join(''));
    return EXIT_OK;
  }
  const entry = catalogue.get(positionals[0].toUpperCase());
  if (!entry) {
    io.stderr(`error: unknown code ${quoted(positionals[0])}; known codes: ${entries.map(({ code }) => code).join(', ')}\n`);
    return EXIT_INVALID;
  }
  io.stdout(format === 'markdown' ? markdownEntry(entry) : textEntry(entry));
  return EXIT_OK;
}

function isExplainFormat(format: string): format is ExplainFormat {
  return (EXPLAIN_FORMATS as readonly string[]).includes(format);
}

/** A catalogue cell as plain text: code spans lose their backticks (the only markup the cells use). */
function plain(markdown: string): string {
  return markdown.replace(/`([^`]*)`/g, '$1');
}

function textEntry({ code, rules, why, fix }: CatalogueEntry): string {
  const checks = rules.map((rule) => `  - (${rule.severity}) ${plain(rule.firesWhen)}\n`).join('');
  return `${code}\n\nFires when:\n${checks}\nWhy it matters: ${plain(why)}\n\nHow to fix it: ${plain(fix)}\n`;
}

function markdownEntry({ code, rules, why, fix }: CatalogueEntry): string {
  const checks = rules.map((rule) => `- **${rule.severity}** (\`${rule.file}\`): ${rule.firesWhen}\n`).join('');
  return `## ${code}\n\nFires when:\n\n${checks}\n**Why it matters:** ${why}\n\n**How to fix it:** ${fix}\n`;
}

function markdownList(entries: readonly CatalogueEntry[]): string {
  return `| Code | Severity | Fires when |\n| --- | --- | --- |\n${entries.map((entry) => `| ${entry.code} | ${entry.rules[0].severity} | ${entry.rules[0].firesWhen} |\n`).join('')}`;
}
