/**
 * Go's strconv.Quote (`%q`), which the Go errors the rules can raise print their strings with:
 * `\a`-style escapes, `\xHH` for other control bytes, `\uHHHH` for other unprintable runes. It also
 * keeps control characters of hostile input out of the printed finding.
 */
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function goQuote(text: string): string {
  return `"${[...text].map((rune) => (rune === '"' || rune === '\\' ? SHORT_ESCAPES[rune] : escapedRune(rune))).join('')}"`;
}

/** The text with every unprintable rune escaped as goQuote escapes it, and nothing else changed: for user text inside a message. */
export function escapeUnprintable(text: string): string {
  return [...text].map(escapedRune).join('');
}

function escapedRune(rune: string): string {
  const code = rune.codePointAt(0)!;
  if (PRINTABLE.test(rune)) return rune;
  if (Object.hasOwn(SHORT_ESCAPES, rune)) return SHORT_ESCAPES[rune];
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}
