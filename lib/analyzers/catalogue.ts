import { readFileSync } from 'node:fs';
import { packageFile } from '../io/package-root';
import type { Severity } from './finding';

/** What `lib/analyzers/README.md` says about one code: each rule row, why it matters, how to fix it. */
export interface CatalogueEntry {
  readonly code: string;
  readonly rules: readonly { readonly severity: Severity; readonly firesWhen: string; readonly file: string }[];
  readonly why: string;
  readonly fix: string;
}

const README = ['lib', 'analyzers', 'README.md'] as const;

/**
 * The analyzer catalogue, read from `lib/analyzers/README.md` (shipped in the package): the README
 * is the one source for the docs, `explain` and the SARIF rules. Keyed by code, in the README's order.
 */
export function analyzerCatalogue(markdown: string = readFileSync(packageFile(...README), 'utf8')): ReadonlyMap<string, CatalogueEntry> {
  const rules = new Map<string, CatalogueEntry['rules'][number][]>();
  const advice = new Map<string, { why: string; fix: string }>();
  for (const line of markdown.split('\n')) {
    const cells = tableCells(line);
    if (!cells || !/^[A-Z]{3}\d{4}$/.test(cells[0])) continue;
    const [code, ...rest] = cells;
    if (rest.length === 3) {
      const [severity, firesWhen, file] = rest;
      rules.set(code, [...(rules.get(code) ?? []), { severity: severity as Severity, firesWhen, file: file.replace(/`/g, '') }]);
    } else if (rest.length === 2) {
      advice.set(code, { why: rest[0], fix: rest[1] });
    }
  }
  const entries = new Map<string, CatalogueEntry>();
  for (const [code, codeRules] of rules) {
    const { why, fix } = advice.get(code) ?? { why: '', fix: '' };
    entries.set(code, { code, rules: codeRules, why, fix });
  }
  return entries;
}

/** The cells of a Markdown table row, or undefined for any other line. */
function tableCells(line: string): string[] | undefined {
  if (!line.startsWith('|') || !line.trimEnd().endsWith('|')) return undefined;
  return line.trim().slice(1, -1).split(' | ').map((cell) => cell.trim());
}
