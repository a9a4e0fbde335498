import { printable } from '../model/printable';

/** Lines of context around each change, as `diff -u` prints. */
const CONTEXT = 3;
/** Beyond this many lines on each side the diff says the files differ instead of listing lines (quadratic table). */
const MAX_LINES = 5000;

type Edit = { readonly kind: ' ' | '-' | '+'; readonly line: string };

/**
 * A unified diff (`--- a/path`, `+++ b/path`, `@@` hunks) from the text on disk to the text synth
 * would write. `undefined` stands for a file that is absent on that side.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string | undefined): string {
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  const header = unifiedDiffHeader(path, before, after);
  if (oldLines.length > MAX_LINES || newLines.length > MAX_LINES) return `${header}(files too long to diff: ${oldLines.length} and ${newLines.length} lines)\n`;
  return header + hunks(editScript(oldLines, newLines)).join('');
}

/** The `---`/`+++` lines; the path, and below it each line of text, printed escaped (a file on disk may hold anything). */
export function unifiedDiffHeader(path: string, before: string | undefined, after: string | undefined): string {
  const shown = printable(path);
  return `--- ${before === undefined ? '/dev/null' : `a/${shown}`}\n+++ ${after === undefined ? '/dev/null' : `b/${shown}`}\n`;
}

function splitLines(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The shortest edit script by longest common subsequence. */
function editScript(a: readonly string[], b: readonly string[]): Edit[] {
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ kind: ' ', line: a[i++] });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      // Removals before additions, as diff prints them.
      edits.push({ kind: '-', line: a[i++] });
    } else {
      edits.push({ kind: '+', line: b[j++] });
    }
  }
  return edits;
}

function hunks(edits: readonly Edit[]): string[] {
  const changes = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  const result: string[] = [];
  let next = 0;
  while (next < changes.length) {
    const start = Math.max(0, changes[next] - CONTEXT);
    let end = changes[next];
    while (next < changes.length && changes[next] <= end + 2 * CONTEXT) end = changes[next++];
    end = Math.min(edits.length, end + CONTEXT + 1);
    const slice = edits.slice(start, end);
    const oldStart = edits.slice(0, start).filter((edit) => edit.kind !== '+').length;
    const newStart = edits.slice(0, start).filter((edit) => edit.kind !== '-').length;
    const oldCount = slice.filter((edit) => edit.kind !== '+').length;
    const newCount = slice.filter((edit) => edit.kind !== '-').length;
    result.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`, ...slice.map((edit) => `${edit.kind}${printable(edit.line)}\n`));
  }
  return result;
}

/** `start,count` with diff's conventions: 1-based, and the line before for an empty range. */
function range(start: number, count: number): string {
  return count === 0 ? `${start},0` : `${start + 1},${count}`;
}
