import { CERT_MANAGER_GROUP } from '../model/names';
import { apiGroup, type Manifest } from './mesh-manifests';

/** A kind within its API group: Istio's `Gateway` is not the Gateway API's `Gateway`. */
export interface KindId {
  /** The API group, `''` for the core group. */
  readonly group: string;
  readonly kind: string;
}

export const KINDS = {
  namespace: { group: '', kind: 'Namespace' },
  service: { group: '', kind: 'Service' },
  secret: { group: '', kind: 'Secret' },
  pod: { group: '', kind: 'Pod' },
  deployment: { group: 'apps', kind: 'Deployment' },
  statefulSet: { group: 'apps', kind: 'StatefulSet' },
  daemonSet: { group: 'apps', kind: 'DaemonSet' },
  mutatingWebhookConfiguration: { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  gateway: { group: 'networking.istio.io', kind: 'Gateway' },
  virtualService: { group: 'networking.istio.io', kind: 'VirtualService' },
  destinationRule: { group: 'networking.istio.io', kind: 'DestinationRule' },
  serviceEntry: { group: 'networking.istio.io', kind: 'ServiceEntry' },
  peerAuthentication: { group: 'security.istio.io', kind: 'PeerAuthentication' },
  certificate: { group: CERT_MANAGER_GROUP, kind: 'Certificate' },
  externalSecret: { group: 'external-secrets.io', kind: 'ExternalSecret' },
  sailIstio: { group: 'sailoperator.io', kind: 'Istio' },
  sailRevisionTag: { group: 'sailoperator.io', kind: 'IstioRevisionTag' },
  route: { group: 'route.openshift.io', kind: 'Route' },
} as const satisfies Record<string, KindId>;

/** The API groups istiod reads mesh configuration from. */
export const ISTIO_CONFIG_GROUPS: ReadonlySet<string> = new Set([
  'networking.istio.io',
  'security.istio.io',
  'telemetry.istio.io',
  'extensions.istio.io',
]);

export function isKind(manifest: Manifest, id: KindId): boolean {
  return manifest.kind === id.kind && apiGroup(manifest) === id.group;
}
