import { dump } from 'js-yaml';

/**
 * The writer's js-yaml options: no line folding, no anchors. `toYaml` must give exactly what
 * `dump(value, DUMP_OPTIONS)` gives, for every value.
 */
const DUMP_OPTIONS = { lineWidth: -1, noRefs: true } as const;

/**
 * The YAML of one object, as written to its file: js-yaml's `dump` with the options above, byte
 * for byte.
 *
 * js-yaml builds a node tree of the whole object and picks a style for every scalar, which costs
 * most of a synth's render stage and much of its garbage. Manifests are JSON-like: plain objects,
 * arrays, and a few thousand distinct single-line strings repeated across objects. So the block
 * structure (indentation, `- ` items, `key: value`, `{}`/`[]`) is written here exactly as js-yaml
 * 5's presenter writes it with these options, and each scalar's text is js-yaml's own, kept per
 * string (see `scalarText`). Any value outside that subset (a multi-line string, a key js-yaml
 * would write as an explicit `? ` key, a class instance, a `Map`, a function...) goes to `dump`
 * whole, so js-yaml decides everything it alone can decide.
 */
export function toYaml(value: unknown): string {
  const text = isPlainArray(value) || isPlainObject(value) ? nodeText(value, 0, true) : undefined;
  return text === undefined ? dump(value, DUMP_OPTIONS) : `${text}\n`;
}

/**
 * Deeper than this, the whole value goes to `dump` (which recurses as deep as this code does), so a
 * hostile depth or a cycle fails inside js-yaml exactly as before instead of here.
 */
const MAX_DEPTH = 256;

/** js-yaml writes a key longer than this (code points of its text) as an explicit `? key`. */
const MAX_IMPLICIT_KEY_LENGTH = 1024;

const INDENT = '  ';
const newLines: string[] = [];
/** `\n` and the indentation of `level` (two spaces a level, js-yaml's default `indent`). */
function newLine(level: number): string {
  return (newLines[level] ??= `\n${INDENT.repeat(level)}`);
}

/**
 * What js-yaml's presenter writes for a value at `level`, in block context; `compact` is its flag
 * for a collection whose first entry goes on the current line (the root and sequence items).
 * `undefined` when the value is outside the subset this emitter proves identical.
 */
function nodeText(value: unknown, level: number, compact: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return scalarText(value);
    case 'number':
      return numberText(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (level > MAX_DEPTH) return undefined;
      if (isPlainArray(value)) return value.length === 0 ? '[]' : sequenceText(value, level, compact);
      if (isPlainObject(value)) return mappingText(value, level, compact);
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A block sequence: every item on its own line after `- `, the first on the current line when
 * compact. Items are always compact, so a nested collection starts right after its `- ` and never
 * with a line break. An undefined item (or a hole) is written as `null`, as js-yaml does.
 */
function sequenceText(items: readonly unknown[], level: number, compact: boolean): string | undefined {
  let text = '';
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const itemText = nodeText(item === undefined ? null : item, level + 1, true);
    if (itemText === undefined) return undefined;
    if (!compact || index > 0) text += newLine(level);
    text += `- ${itemText}`;
  }
  return text;
}

/**
 * A block mapping: `key: value` per line, the first on the current line when compact. A pair whose
 * value is undefined is left out, and a mapping left empty is `{}`, as js-yaml does. A non-empty
 * collection value is not compact: it starts with a line break, so its key ends with a bare `:`.
 */
function mappingText(object: Readonly<Record<string, unknown>>, level: number, compact: boolean): string | undefined {
  let text = '';
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === undefined) continue;
    const keyText = scalarText(key);
    // `.length` counts UTF-16 units, never fewer than code points: under it, the key is implicit.
    if (keyText === undefined || keyText.length > MAX_IMPLICIT_KEY_LENGTH) return undefined;
    const valueText = nodeText(value, level + 1, false);
    if (valueText === undefined) return undefined;
    if (!compact || text !== '') text += newLine(level);
    text += keyText + (valueText.charCodeAt(0) === 10 ? ':' : ': ') + valueText;
  }
  return text === '' ? '{}' : text;
}

/**
 * An integer of magnitude below 1e21 is written as `String(n)`, a plain `!!int`. Other numbers
 * have js-yaml's own spellings (`.nan`, `-.inf`, `-0.0`, `1.e+21`) and are rare: js-yaml writes
 * each one.
 */
function numberText(value: number): string {
  if (Number.isInteger(value) && !Object.is(value, -0) && Math.abs(value) < 1e21) return String(value);
  return delegatedScalarText(value);
}

/**
 * Strings js-yaml writes plain, as they are, as any key or value of a block collection: a letter,
 * `_` or `/` first, then only characters that keep a plain scalar valid (no spaces, quotes, `#`,
 * tabs or other invisibles, and a `:` only before another character, never `: `).
 */
const PLAIN_SAFE = /^[A-Za-z_/](?:[\w.,/-]|:(?!$))*$/;

/**
 * First characters of the implicit types of js-yaml's dump schema other than `!!str`: null `~nN`,
 * bool `yYnNtTfFoO`, int/float/timestamp `-+.0-9`, merge `<`. A string with another first
 * character resolves to `!!str`; so does one of more than 5 characters starting with a letter,
 * since the only implicit types a letter starts are null and bool, whose words (`null`, `false`,
 * `yes`, `off`...) are at most 5 long. A string that resolves to `!!str` needs no quotes.
 */
const IMPLICIT_TYPE_LETTERS = new Set('nNyYtTfFoO');
const LONGEST_IMPLICIT_WORD = 5;

function isAlwaysPlain(value: string): boolean {
  return PLAIN_SAFE.test(value) && (value.length > LONGEST_IMPLICIT_WORD || !IMPLICIT_TYPE_LETTERS.has(value[0]));
}

/**
 * Strings longer than this are not kept. The cache's size is counted as the characters of each
 * string and its text plus ENTRY_COST for the entry itself (so that many tiny strings count too),
 * and never exceeds SCALAR_CACHE_BUDGET: a few MB at most.
 */
const MAX_CACHED_LENGTH = 512;
const ENTRY_COST = 32;
export const SCALAR_CACHE_BUDGET = 1 << 20;
const cachedScalars = new Map<string, string>();
let cachedCost = 0;

/**
 * js-yaml's text for a single-line string as a key or value inside a block collection. Its style
 * (plain, single- or double-quoted) depends only on the string there: js-yaml's scalar rules look
 * at the key/value position, the indentation and the nesting only for strings with a line break,
 * block styles (multi-line only, with `lineWidth: -1`), flow collections (only `{}`/`[]` here) and
 * the document's first line (the root, never a scalar here). So the text of one string, taken
 * from `dump([string])`, is its text everywhere this emitter puts it. Multi-line strings return
 * undefined: the whole value goes to `dump`. The cache is bounded in entries' size and in total,
 * and is emptied when full, whatever the inventory holds.
 */
function scalarText(value: string): string | undefined {
  if (isAlwaysPlain(value)) return value;
  if (value.includes('\n')) return undefined;
  const cached = cachedScalars.get(value);
  if (cached !== undefined) return cached;
  const text = delegatedScalarText(value);
  if (value.length <= MAX_CACHED_LENGTH) {
    const cost = value.length + text.length + ENTRY_COST;
    if (cachedCost + cost > SCALAR_CACHE_BUDGET) {
      cachedScalars.clear();
      cachedCost = 0;
    }
    cachedScalars.set(value, text);
    cachedCost += cost;
  }
  return text;
}

/** The scalar cache's size as counted against SCALAR_CACHE_BUDGET. */
export function scalarCacheCost(): number {
  return cachedCost;
}

/** js-yaml's text for a scalar as a sequence item: `dump([scalar])` is `- <text>\n`. */
function delegatedScalarText(scalar: string | number): string {
  return dump([scalar], DUMP_OPTIONS).slice(2, -1);
}

/**
 * An array js-yaml writes as a plain `!!seq`: a real array with no `Symbol.toStringTag`, which its
 * dump schema would otherwise read as a boolean or binary value first.
 */
function isPlainArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && Object.prototype.toString.call(value) === '[object Array]';
}

/**
 * An object js-yaml writes as a `!!map` of its own enumerable string keys: prototype
 * `Object.prototype` or none, and no `Symbol.toStringTag` (see `isPlainArray`).
 */
function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.prototype.toString.call(value) === '[object Object]';
}
