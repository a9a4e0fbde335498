import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';

/**
 * The generated classes of the Istio kinds the constructs render, at `networking.istio.io/v1` and
 * `security.istio.io/v1`, which every supported Istio version (1.24 and later) serves. The import
 * names multi-version classes by their order in the CRD file, so constructs create them here only
 * and a test pins what each renders.
 */
export function newGateway(scope: Construct, id: string, props: networking.GatewayProps): ApiObject {
  return new networking.Gateway(scope, id, props);
}

export function newVirtualService(scope: Construct, id: string, props: networking.VirtualServiceProps): ApiObject {
  return new networking.VirtualService(scope, id, props);
}

export function newDestinationRule(scope: Construct, id: string, props: networking.DestinationRuleProps): ApiObject {
  return new networking.DestinationRule(scope, id, props);
}

export function newPeerAuthentication(scope: Construct, id: string, props: security.PeerAuthenticationProps): ApiObject {
  return new security.PeerAuthentication(scope, id, props);
}

/** The generated classes the project renders, for the test that pins their apiVersion/kind. */
export const ISTIO_CLASSES_IN_USE = {
  'networking.istio.io/v1 Gateway': networking.Gateway.GVK,
  'networking.istio.io/v1 VirtualService': networking.VirtualService.GVK,
  'networking.istio.io/v1 DestinationRule': networking.DestinationRule.GVK,
  'security.istio.io/v1 PeerAuthentication': security.PeerAuthentication.GVK,
} as const;
