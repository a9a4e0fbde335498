/**
 * Go's strconv.Quote (`%q`), which the Go errors the rules can raise print their strings with:
 * `\a`-style escapes, `\xHH` for other control bytes, `\uHHHH` for other unprintable runes. It also
 * keeps control characters of hostile input out of the printed finding.
 */
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function goQuote(text: string): string {
  let quoted = '"';
  for (const rune of text) {
    const code = rune.codePointAt(0)!;
    if (Object.hasOwn(SHORT_ESCAPES, rune)) quoted += SHORT_ESCAPES[rune];
    else if (PRINTABLE.test(rune)) quoted += rune;
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${quoted}"`;
}
