import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { kubeObject } from '../../constructs/kube-object';
import { ISTIO_CLASSES_IN_USE, ISTIO_KINDS } from '../../lib/istio/istio-api';

describe('generated Istio classes', () => {
  // The import names multi-version classes by their order in the CRD file, so a re-import can
  // silently change what `Gateway` means: pin each class the project renders.
  it.each(Object.entries(ISTIO_CLASSES_IN_USE))('%s is what its class renders', (expected, gvk) => {
    expect(`${gvk.apiVersion} ${gvk.kind}`).toBe(expected);
  });

  it('renders Gateway and PeerAuthentication at v1, which every supported Istio version serves', () => {
    // GIVEN one object of each group created from its class
    const chart = Testing.chart();
    kubeObject(ISTIO_KINDS.gateway, chart, 'gw', { metadata: { name: 'gw', namespace: 'ns' }, spec: { selector: { istio: 'gw' } } });
    kubeObject(ISTIO_KINDS.peerAuthentication, chart, 'pa', { metadata: { name: 'default', namespace: 'ns' }, spec: {} });
    // WHEN synthesized
    const [gateway, peerAuthentication] = Testing.synth(chart);
    // THEN they carry the v1 apiVersions and the spec as given
    expect(gateway).toEqual({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'ns' }, spec: { selector: { istio: 'gw' } } });
    expect(peerAuthentication.apiVersion).toBe('security.istio.io/v1');
  });
});
