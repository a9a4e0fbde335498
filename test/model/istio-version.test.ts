import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ISTIO_VERSION,
  istiodEndpointsKind,
  istioVersionProblem,
  type IstioVersion,
} from '../../lib/model/istio-version';

describe('istio-version', () => {
  it('defaults to the newest stable minor, 1.30', () => {
    expect(DEFAULT_ISTIO_VERSION).toBe('1.30');
  });

  it.each([
    // version, istiod endpoints (istio/istio release branches)
    ['1.24', 'Endpoints'],
    ['1.27', 'Endpoints'],
    ['1.28', 'EndpointSlice'],
    ['1.30', 'EndpointSlice'],
  ] as const)('derives what Istio %s renders', (version, endpoints) => {
    // GIVEN a release WHEN its facts are derived THEN they are the chart's at that release
    expect(istiodEndpointsKind(version as IstioVersion)).toBe(endpoints);
  });

  it.each(['1.24', '1.25', '1.29', '1.30'])('accepts %s', (version) => {
    expect(istioVersionProblem(version)).toBeUndefined();
  });

  it.each([
    ['1.23', '"1.23" is older than the supported range 1.24 to 1.30'],
    ['1.31', '"1.31" is newer than the supported range 1.24 to 1.30'],
    ['1.100', '"1.100" is newer than the supported range 1.24 to 1.30'],
    ['1.030', '"1.030" is not an Istio minor release'],
    ['2.0', '"2.0" is not an Istio minor release'],
    [' 1.30', '" 1.30" is not an Istio minor release'],
    [1.3, '1.3 is a number; write the minor as a quoted string'],
    [null, 'must be a string such as "1.30"'],
  ])('refuses %j', (value, message) => {
    expect(istioVersionProblem(value)).toContain(message);
  });
});
