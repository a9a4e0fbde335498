import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';
import type { IstioApiLevel } from '../model/istio-version';

type L1Class<P> = new (scope: Construct, id: string, props: P) => ApiObject;

/**
 * Picks the generated class of the requested API level. The `v1` and `v1beta1` schemas of these
 * kinds are identical in shape (Istio promoted them unchanged in 1.22), so constructs describe an
 * object once with the `v1` props and the level only decides the apiVersion it is rendered with.
 */
function byApiLevel<P>(v1: L1Class<P>, v1beta1: L1Class<never>) {
  return (scope: Construct, id: string, level: IstioApiLevel, props: P): ApiObject =>
    level === 'v1' ? new v1(scope, id, props) : new (v1beta1 as unknown as L1Class<P>)(scope, id, props);
}

export const newGateway = byApiLevel(networking.Gateway, networking.GatewayV1Beta1);
export const newVirtualService = byApiLevel(networking.VirtualService, networking.VirtualServiceV1Beta1);
export const newDestinationRule = byApiLevel(networking.DestinationRule, networking.DestinationRuleV1Beta1);
export const newPeerAuthentication = byApiLevel(security.PeerAuthentication, security.PeerAuthenticationV1Beta1);

/** The generated classes the project renders, for the test that pins their apiVersion/kind. */
export const ISTIO_CLASSES_IN_USE = {
  'networking.istio.io/v1 Gateway': networking.Gateway.GVK,
  'networking.istio.io/v1beta1 Gateway': networking.GatewayV1Beta1.GVK,
  'networking.istio.io/v1 VirtualService': networking.VirtualService.GVK,
  'networking.istio.io/v1beta1 VirtualService': networking.VirtualServiceV1Beta1.GVK,
  'networking.istio.io/v1 DestinationRule': networking.DestinationRule.GVK,
  'networking.istio.io/v1beta1 DestinationRule': networking.DestinationRuleV1Beta1.GVK,
  'security.istio.io/v1 PeerAuthentication': security.PeerAuthentication.GVK,
  'security.istio.io/v1beta1 PeerAuthentication': security.PeerAuthenticationV1Beta1.GVK,
} as const;
