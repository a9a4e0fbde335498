import { describe, expect, it } from 'vitest';
import { istioDurationProblem, parseGoDuration } from '../../lib/model/go-duration';
import { issuesOf } from './issues-of';

/**
 * What Go 1.26.8's `time.ParseDuration` returned for each text (int64 nanoseconds, or an error),
 * recorded by running it: the units, fractions, signs and the int64 range, its uint64 wrap included.
 */
const GO_PARSE_DURATION: readonly (readonly [string, bigint | undefined])[] = [
  ["0", 0n],
  ["1", undefined],
  ["", undefined],
  [" 1s", undefined],
  ["+0", 0n],
  ["+1ms", 1000000n],
  ["-.s", undefined],
  ["-0", 0n],
  ["-1ms", -1000000n],
  ["-9223372036854775808ns", -9223372036854775808n],
  [".5s", 500000000n],
  [".s", undefined],
  ["0.0000000001s", 0n],
  ["0.000000001s", 1n],
  ["0.0010s", 1000000n],
  ["0.001s", 1000000n],
  ["0.5ms", 500000n],
  ["0.99999999999999999999999ms", 1000000n],
  ["00001ms", 1000000n],
  ["1..s", undefined],
  ["1.00000000000000000000000000001ms", 1000000n],
  ["1.5.5s", undefined],
  ["1.5h", 5400000000000n],
  ["1.9999999999999999999h", 7200000000000n],
  ["1000us", 1000000n],
  ["10s", 10000000000n],
  ["12345678901234567890.123456789012345678901234567890h", undefined],
  ["1S", undefined],
  ["1d", undefined],
  ["1e3s", undefined],
  ["1h1h", 7200000000000n],
  ["1h30m", 5400000000000n],
  ["1m30s", 90000000000n],
  ["1ms", 1000000n],
  ["1ms1", undefined],
  ["1s ", undefined],
  ["1µs", 1000n],
  ["1μs", 1000n],
  ["2562047h", 9223369200000000000n],
  ["2562047h47m16.854775807s", 9223372036854775807n],
  ["2562047h47m16.854775808s", undefined],
  ["2562048h", undefined],
  ["3.6e3s", undefined],
  ["3000000h", undefined],
  ["5.s", 5000000000n],
  ["500us", 500000n],
  ["9223372036854775807ns", 9223372036854775807n],
  ["9223372036854775808ns", undefined],
  ["9223372036854775808ns9223372036854775808ns", 0n],
  ["99999999999999999999ns", undefined],
  ["999999ns", 999999n],
];

describe('Go durations', () => {
  it.each(GO_PARSE_DURATION)('GIVEN %j WHEN parsed THEN the nanoseconds are those of time.ParseDuration (%s)', (text, nanoseconds) => {
    expect(parseGoDuration(text)).toBe(nanoseconds);
  });

  it.each([
    ['500us', 'is shorter than 1ms'],
    ['0.5ms', 'is shorter than 1ms'],
    ['0', 'is shorter than 1ms'],
    ['-1s', 'is shorter than 1ms'],
    ['3000000h', 'is not a Go duration'],
    ['1d', 'is not a Go duration'],
  ])('GIVEN the Istio duration %j THEN the CRD rule (at least 1ms) refuses it: %s', (text, reason) => {
    expect(istioDurationProblem(text)).toContain(reason);
  });

  it.each(['1ms', '0.99999999999999999999999ms', '2562047h', '10s'])('GIVEN the Istio duration %j THEN the CRD rule accepts it', (text) => {
    expect(istioDurationProblem(text)).toBeUndefined();
  });

  it.each([
    ['interval', '500us', 'mesh.locality.outlierDetection.interval: "500us" is shorter than 1ms; Istio\'s CRDs require every duration to be at least 1ms'],
    ['baseEjectionTime', '0.5ms', 'mesh.locality.outlierDetection.baseEjectionTime: "0.5ms" is shorter than 1ms; Istio\'s CRDs require every duration to be at least 1ms'],
    ['baseEjectionTime', '3000000h', 'mesh.locality.outlierDetection.baseEjectionTime: "3000000h" is not a Go duration (digits with a unit ns, us, ms, s, m or h, such as 10s or 1m30s, at most 2562047h)'],
  ])('GIVEN outlierDetection.%s %j WHEN the inventory is checked THEN it is refused with the field', (field, value, expected) => {
    const spec = { clusters: [{ name: 'east', url: 'https://east', istio_control_plane: true, region: 'r1' }, { name: 'west', url: 'https://west', region: 'r2' }], mesh: { locality: { outlierDetection: { [field]: value } } } };
    expect(issuesOf(spec)).toContain(expected);
  });

  it.each([
    ['3000000h', 'mesh.credentials.refreshInterval: "3000000h" is not a duration external-secrets reads (a Go duration such as 1h, 30m or 1h30m)'],
    ['-1h', 'mesh.credentials.refreshInterval: "-1h" is not a duration external-secrets reads (a Go duration such as 1h, 30m or 1h30m)'],
  ])('GIVEN refreshInterval %j WHEN the inventory is checked THEN it is refused with the field', (value, expected) => {
    const spec = { clusters: [{ name: 'east', url: 'https://east', istio_control_plane: true }], mesh: { credentials: { refreshInterval: value } } };
    expect(issuesOf(spec)).toContain(expected);
  });
});
