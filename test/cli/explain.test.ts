/**
 * `explain` as a person reads it (plain text, codes sorted, no Markdown or source file names) and as
 * Markdown on request: in process, through `main`.
 */
import { describe, expect, it } from 'vitest';
import { analyzerCatalogue } from '../../lib/analyzers/catalogue';
import { runMain } from './support';

const codes = [...analyzerCatalogue().keys()];
/** Markdown markup and the catalogue's File column, which a terminal shows raw. */
const MARKUP = /`|\*\*|^#+ |\]\(|\brules\/|\.ts\b/m;

describe('explain', () => {
  it('GIVEN no code WHEN run THEN every code is listed once, in code-point order', () => {
    const listed = runMain(['explain']).stdout.trimEnd().split('\n').map((line) => line.split(' ')[0]);
    expect(listed).toEqual([...codes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(listed).toHaveLength(new Set(codes).size);
  });

  it('GIVEN the catalogue, which uses code spans WHEN listed as text THEN no line shows Markdown', () => {
    const { stdout } = runMain(['explain']);
    expect(stdout.split('\n').filter((line) => MARKUP.test(line))).toEqual([]);
  });

  it.each(codes)('GIVEN %s WHEN explained as text THEN it shows no Markdown markup and no source file', (code) => {
    const result = runMain(['explain', code]);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter((line) => MARKUP.test(line))).toEqual([]);
    expect(result.stdout).toMatch(new RegExp(`^${code}\\n\\nFires when:\\n  - \\((error|warning|info)\\) \\S`));
  });

  it('GIVEN --format markdown WHEN a code is explained THEN the Markdown keeps code spans and names the source files', () => {
    const result = runMain(['explain', 'IST0101', '--format', 'markdown']);
    expect(result.stdout).toMatch(/^## IST0101\n\nFires when:\n\n- \*\*error\*\* \(`rules\/virtual-service\.ts`\): a VirtualService names a Gateway \(`name` or `ns\/name`;/);
    expect(result.stdout).toContain('\n**Why it matters:** ');
    expect(runMain(['explain', '--format', 'markdown']).stdout).toMatch(/^\| Code \| Severity \| Fires when \|\n\| --- \| --- \| --- \|\n\| IST0101 \| error \| /);
  });

  it('GIVEN an unknown code WHEN explained THEN the known codes are listed sorted and the code is quoted', () => {
    const result = runMain(['explain', 'IST9999\u001b[2J']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: unknown code "IST9999\\u001b[2J"; known codes: ${[...codes].sort().join(', ')}\n`);
  });

  it('GIVEN an unknown --format WHEN run THEN it is a usage error', () => {
    const result = runMain(['explain', '--format', 'html']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: --format must be one of text, markdown, got "html"');
  });
});
