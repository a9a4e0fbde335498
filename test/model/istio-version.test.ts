import { describe, expect, it } from 'vitest';
import {
  admissionReviewVersions,
  DEFAULT_ISTIO_VERSION,
  istioApiLevel,
  istiodEndpointsKind,
  istioVersionProblem,
  type IstioVersion,
} from '../../lib/model/istio-version';

describe('istio-version', () => {
  it('defaults to the newest stable minor, 1.30', () => {
    expect(DEFAULT_ISTIO_VERSION).toBe('1.30');
  });

  it.each([
    // version, API level, istiod endpoints, admissionReviewVersions (istio/istio release branches)
    ['1.21', 'v1beta1', 'Endpoints', ['v1beta1', 'v1']],
    ['1.22', 'v1', 'Endpoints', ['v1beta1', 'v1']],
    ['1.23', 'v1', 'Endpoints', ['v1']],
    ['1.27', 'v1', 'Endpoints', ['v1']],
    ['1.28', 'v1', 'EndpointSlice', ['v1']],
    ['1.30', 'v1', 'EndpointSlice', ['v1']],
  ] as const)('derives what Istio %s renders', (version, level, endpoints, reviews) => {
    // GIVEN a release WHEN its facts are derived THEN they are the chart's at that release
    expect(istioApiLevel(version as IstioVersion)).toBe(level);
    expect(istiodEndpointsKind(version as IstioVersion)).toBe(endpoints);
    expect(admissionReviewVersions(version as IstioVersion)).toEqual(reviews);
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
