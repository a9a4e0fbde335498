import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ISTIO_CLASSES_IN_USE, newGateway, newPeerAuthentication } from '../../lib/istio/istio-api';

describe('generated Istio classes', () => {
  // The import names multi-version classes by their order in the CRD file, so a re-import can
  // silently change what `Gateway` means: pin each class the project renders.
  it.each(Object.entries(ISTIO_CLASSES_IN_USE))('%s is what its class renders', (expected, gvk) => {
    expect(`${gvk.apiVersion} ${gvk.kind}`).toBe(expected);
  });

  it.each([
    ['v1', 'networking.istio.io/v1', 'security.istio.io/v1'],
    ['v1beta1', 'networking.istio.io/v1beta1', 'security.istio.io/v1beta1'],
  ] as const)('renders API level %s with its apiVersions', (level, networking, security) => {
    // GIVEN one object of each group created through the API-level factories
    const chart = Testing.chart();
    newGateway(chart, 'gw', level, { metadata: { name: 'gw', namespace: 'ns' }, spec: { selector: { istio: 'gw' } } });
    newPeerAuthentication(chart, 'pa', level, { metadata: { name: 'default', namespace: 'ns' }, spec: {} });
    // WHEN synthesized
    const [gateway, peerAuthentication] = Testing.synth(chart);
    // THEN the level decides the apiVersion and the spec is the same
    expect(gateway).toEqual({ apiVersion: networking, kind: 'Gateway', metadata: { name: 'gw', namespace: 'ns' }, spec: { selector: { istio: 'gw' } } });
    expect(peerAuthentication.apiVersion).toBe(security);
  });
});
