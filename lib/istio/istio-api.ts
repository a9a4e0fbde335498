import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';

/**
 * The generated classes of the Istio kinds the constructs render, at `networking.istio.io/v1` and
 * `security.istio.io/v1`, which every supported Istio version (1.24 and later) serves. The import
 * names multi-version classes by their order in the CRD file, so constructs take them from here
 * only (`kubeObject(ISTIO_KINDS.gateway, ...)` renders the typed props to JSON once) and a test
 * pins what each renders.
 */
export const ISTIO_KINDS = {
  gateway: networking.Gateway,
  virtualService: networking.VirtualService,
  destinationRule: networking.DestinationRule,
  peerAuthentication: security.PeerAuthentication,
} as const;

/** The generated classes the project renders, for the test that pins their apiVersion/kind. */
export const ISTIO_CLASSES_IN_USE = {
  'networking.istio.io/v1 Gateway': ISTIO_KINDS.gateway.GVK,
  'networking.istio.io/v1 VirtualService': ISTIO_KINDS.virtualService.GVK,
  'networking.istio.io/v1 DestinationRule': ISTIO_KINDS.destinationRule.GVK,
  'security.istio.io/v1 PeerAuthentication': ISTIO_KINDS.peerAuthentication.GVK,
} as const;
