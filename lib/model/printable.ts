/**
 * Characters a message must never carry as they are: C0 controls (newline and tab included), DEL,
 * C1 controls, the bidi marks, embeddings, overrides and isolates (which reorder what a terminal or
 * a review UI shows), the Unicode line and paragraph separators, the byte-order mark, and lone
 * surrogates. A newline inside a value could start a line of its own in a CI log (`::error::`);
 * ESC could drive the terminal.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeCharacter(character: string): string {
  return NAMED[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A string from input (an environment value, an inventory key or value, a file or object name, an
 * API server's answer) as a message may show it: every unprintable character JSON-style escaped
 * (`\n`, `\u001b`, `\u202e`), everything else as it is. Applying it twice changes nothing more, so
 * a message built from printable parts can be passed through it again; the same escaping turns a
 * JSON document's remaining unprintable characters into JSON escapes.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeCharacter);
}

/**
 * A text of several lines, each escaped: for a document (JSON, whose strings hold no raw newline)
 * or a stack trace, whose line breaks are its own.
 */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** A string from input in double quotes, escaped as a JSON string is (and printable). */
export function quoted(text: string): string {
  return printable(JSON.stringify(text));
}

/**
 * A path at the start of a line, printed escaped and, when it starts with anything but a letter,
 * a digit, `_`, `.`, `/` or `~`, as `./path` (the same file), so it can never begin a line a CI
 * runner reads as a command (`::error::`).
 */
export function printablePath(path: string): string {
  const shown = printable(path);
  return /^[A-Za-z0-9_./~]/.test(shown) ? shown : `./${shown}`;
}

/** A name from input inside a message (a file of a tree): as it is when it holds only visible ASCII and no `"`, else quoted and escaped. */
export function quotedIfUnusual(text: string): string {
  return /^[\x21-\x7e]+$/.test(text) && !text.includes('"') ? text : quoted(text);
}
