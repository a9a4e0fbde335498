/**
 * The line of a field inside one YAML document, found from its JSON pointer (`/spec/servers/0/hosts`)
 * by following the block layout: mapping keys at one column, sequence items as `- ` at one column.
 * This is the layout `synth` writes and hand edits keep; a part written in flow style (`{...}`,
 * `[...]`) is not followed, and the deepest field found stands for it.
 */

interface Position {
  /** 0-based line of the node's first character. */
  readonly line: number;
  /** 0-based column of the node's first character. */
  readonly column: number;
}

/** The 0-based line, within `lines`, of the field the pointer names (its key, or its item's dash), or of the deepest of its parents found. */
export function fieldLine(lines: readonly string[], pointer: string): number | undefined {
  const root = firstContent(lines, 0);
  if (!root) return undefined;
  let node: Position | undefined = root;
  let found = root.line;
  for (const segment of pointer.split('/').slice(1).map(unescapePointer)) {
    if (!node) break;
    const next: Found | undefined = /^(?:0|[1-9]\d*)$/.test(segment) && isSequenceItem(lines, node) ? item(lines, node, Number(segment)) : key(lines, node, segment);
    if (!next) break;
    found = next.at;
    node = next.value;
  }
  return found;
}

interface Found {
  /** The line the key or the item's dash is on. */
  readonly at: number;
  /** Where its value starts, when it has one in block layout. */
  readonly value?: Position;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A line that holds nothing: blank, or a comment. */
function isBlank(text: string): boolean {
  return /^\s*(?:#.*)?$/.test(text);
}

function indentOf(text: string): number {
  return /^ */.exec(text)![0].length;
}

/** The first non-blank position from `line` on (a `---` separator skipped). */
function firstContent(lines: readonly string[], line: number): Position | undefined {
  for (let index = line; index < lines.length; index++) {
    if (isBlank(lines[index]) || /^---\s*$/.test(lines[index])) continue;
    return { line: index, column: indentOf(lines[index]) };
  }
  return undefined;
}

function isSequenceItem(lines: readonly string[], { line, column }: Position): boolean {
  return /^-(?: |$)/.test(lines[line].slice(column));
}

/** The value after `head` (a key with its colon, or a dash) on the same line, else on the next lines deeper than `column`. */
function valueAfter(lines: readonly string[], line: number, column: number, head: number, deeperThan: number): Position | undefined {
  const rest = lines[line].slice(column + head);
  const inline = /^ +(?=[^#\s])/.exec(rest);
  if (inline) return { line, column: column + head + inline[0].length };
  if (rest.trim() !== '' && !rest.trim().startsWith('#')) return undefined;
  const next = firstContent(lines, line + 1);
  // A sequence may sit at its key's own column ("key:\n- item").
  if (next && (next.column > deeperThan || (next.column === deeperThan && head > 1 && isSequenceItem(lines, next)))) return next;
  return undefined;
}

/** The mapping key `name` of the mapping at `node`. */
function key(lines: readonly string[], node: Position, name: string): Found | undefined {
  const spellings = [name, JSON.stringify(name), `'${name.replace(/'/g, "''")}'`].map((spelling) => `${spelling}:`);
  for (let line = node.line; line < lines.length; line++) {
    const text = lines[line];
    if (line > node.line) {
      if (isBlank(text)) continue;
      const indent = indentOf(text);
      if (indent < node.column) return undefined;
      if (indent > node.column) continue;
    }
    const here = text.slice(node.column);
    const spelling = spellings.find((candidate) => here.startsWith(candidate) && /^(?:\s|$)/.test(here.slice(candidate.length)));
    if (spelling) return { at: line, value: valueAfter(lines, line, node.column, spelling.length, node.column) };
    if (line > node.line && here.startsWith('-')) return undefined;
  }
  return undefined;
}

/** The `index`-th item of the sequence at `node`. */
function item(lines: readonly string[], node: Position, index: number): Found | undefined {
  let seen = -1;
  for (let line = node.line; line < lines.length; line++) {
    const text = lines[line];
    if (isBlank(text)) continue;
    const indent = indentOf(text);
    if (line > node.line && indent < node.column) return undefined;
    if (line > node.line && indent > node.column) continue;
    if (!isSequenceItem(lines, { line, column: node.column })) return undefined;
    if (++seen === index) return { at: line, value: valueAfter(lines, line, node.column, 1, node.column) };
  }
  return undefined;
}
