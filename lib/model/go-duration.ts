/**
 * Go's `time.ParseDuration` (Go 1.26 `src/time/format.go`), reproduced step by step: every
 * duration the output carries is read by a Go program (istiod, external-secrets) or by the API
 * server's CEL `duration()`, which is `time.ParseDuration` too (cel-go `common/types/string.go`).
 */

/** The units Go accepts, in nanoseconds (`unitMap`; `µs` is U+00B5, `μs` U+03BC). */
const UNIT_NANOSECONDS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const TWO_TO_63 = 1n << 63n;
/** The largest `time.Duration`: int64 nanoseconds, about 2562047h47m16.85s. */
const MAX_NANOSECONDS = TWO_TO_63 - 1n;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * The nanoseconds Go's `time.ParseDuration` reads from `text`, or undefined where it returns an
 * error: an empty text, a missing or unknown unit, or a value outside int64 nanoseconds.
 */
export function parseGoDuration(text: string): bigint | undefined {
  // Go indexes bytes; the units outside ASCII are compared as their UTF-16 strings here, which
  // holds because every other unit character is refused either way.
  let rest = text;
  let negative = false;
  if (rest[0] === '-' || rest[0] === '+') {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  // Go sums in a uint64, which wraps; it checks the sum against 2^63 after each part.
  let total = 0n;
  while (rest !== '') {
    if (!(rest[0] === '.' || isDigit(rest[0]))) return undefined;
    let i = 0;
    let whole = 0n;
    while (isDigit(rest[i])) {
      if (whole > TWO_TO_63 / 10n) return undefined;
      whole = whole * 10n + BigInt(rest[i]);
      if (whole > TWO_TO_63) return undefined;
      i++;
    }
    const hasWhole = i > 0;
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (rest[i] === '.') {
      i++;
      const start = i;
      let overflow = false;
      // leadingFraction: stops gaining precision, without an error, once more digits would overflow.
      for (; isDigit(rest[i]); i++) {
        if (overflow) continue;
        if (fraction > MAX_NANOSECONDS / 10n) {
          overflow = true;
          continue;
        }
        const next = fraction * 10n + BigInt(rest[i]);
        if (next > TWO_TO_63) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = i > start;
    }
    if (!hasWhole && !hasFraction) return undefined;
    const unitStart = i;
    while (i < rest.length && rest[i] !== '.' && !isDigit(rest[i])) i++;
    const unit = UNIT_NANOSECONDS.get(rest.slice(unitStart, i));
    if (unit === undefined) return undefined;
    rest = rest.slice(i);
    if (whole > TWO_TO_63 / unit) return undefined;
    let value = whole * unit;
    if (fraction > 0n) {
      // float64 arithmetic, as Go's: uint64(float64(f) * (float64(unit) / scale)).
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > TWO_TO_63) return undefined;
    }
    total = BigInt.asUintN(64, total + value);
    if (total > TWO_TO_63) return undefined;
  }
  if (negative) return -total;
  return total > MAX_NANOSECONDS ? undefined : total;
}

/** What Istio's CRDs require of every Duration field: `duration(self) >= duration('1ms')` (`base/files/crd-all.gen.yaml`). */
export const ISTIO_MIN_DURATION_NANOSECONDS = 1_000_000n;

/**
 * What is wrong with a duration an Istio object carries, or undefined when the API server accepts
 * it: a Go duration (int64 nanoseconds, so at most about 2562047h) of at least 1ms.
 */
export function istioDurationProblem(text: string): string | undefined {
  const nanoseconds = parseGoDuration(text);
  if (nanoseconds === undefined) {
    return `${JSON.stringify(text)} is not a Go duration (digits with a unit ns, us, ms, s, m or h, such as 10s or 1m30s, at most 2562047h)`;
  }
  if (nanoseconds < ISTIO_MIN_DURATION_NANOSECONDS) {
    return `${JSON.stringify(text)} is shorter than 1ms; Istio's CRDs require every duration to be at least 1ms`;
  }
  return undefined;
}
