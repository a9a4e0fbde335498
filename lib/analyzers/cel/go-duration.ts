import { goQuote } from './go-quote';

/*
 * Go's time.ParseDuration (src/time/format.go), which cel-go's `duration(string)` calls and so the
 * API server's rules see: a signed sequence of decimal numbers, each with an optional fraction
 * and a unit (ns, us, µs, μs, ms, s, m, h), "0" alone, at most 2^63-1 ns. The CEL library's own
 * parser differs at the edges (it reads "" as zero, Go refuses it), which would change what a rule
 * such as `duration(self) >= duration('1ms')` says about a value.
 */

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek small letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_MAGNITUDE = 1n << 63n;

/** The nanoseconds a Go duration string stands for; throws Go's error for any other string. */
export function parseGoDuration(text: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${goQuote(text)}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid();
  let total = 0n;
  while (rest !== '') {
    if (!/^[0-9.]/.test(rest)) throw invalid();
    const whole = /^[0-9]*/.exec(rest)![0];
    rest = rest.slice(whole.length);
    let fraction = '';
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      fraction = /^[0-9]*/.exec(rest)![0];
      rest = rest.slice(fraction.length);
    }
    if (whole === '' && fraction === '') throw invalid();
    const unitText = /^[^0-9.]*/.exec(rest)![0];
    if (unitText === '') throw new Error(`time: missing unit in duration ${goQuote(text)}`);
    rest = rest.slice(unitText.length);
    const unit = NANOS_PER_UNIT[unitText];
    if (!Object.hasOwn(NANOS_PER_UNIT, unitText)) throw new Error(`time: unknown unit ${goQuote(unitText)} in duration ${goQuote(text)}`);
    // Go's leadingInt refuses a whole part past 2^63; its fraction keeps the digits that fit in an int64.
    const wholeValue = BigInt(whole || '0');
    if (wholeValue > MAX_MAGNITUDE || wholeValue > MAX_MAGNITUDE / unit) throw invalid();
    let value = wholeValue * unit;
    if (fraction !== '') {
      let digits = 0n;
      let scale = 1;
      for (const digit of fraction) {
        if (digits > (MAX_MAGNITUDE - 1n) / 10n) break;
        digits = digits * 10n + BigInt(digit);
        scale *= 10;
      }
      // Go adds the fraction in float64 arithmetic, truncated toward zero.
      value += BigInt(Math.trunc(Number(digits) * (Number(unit) / scale)));
      if (value > MAX_MAGNITUDE) throw invalid();
    }
    total += value;
    if (total > MAX_MAGNITUDE) throw invalid();
  }
  if (!negative && total > MAX_MAGNITUDE - 1n) throw invalid();
  return negative ? -total : total;
}
