/**
 * Every name, label, annotation and path that more than one cluster must agree on is derived
 * here, from the cluster and mesh model, and nowhere else.
 */

/** The Istio system namespace, in every cluster. */
export const ISTIO_SYSTEM_NAMESPACE = 'istio-system';
/** The service account whose token the control plane uses to read a remote. */
export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';
/** The reader ClusterRole (and its binding): `istio-reader-clusterrole-<releaseNamespace>`. */
export const READER_CLUSTER_ROLE = `istio-reader-clusterrole-${ISTIO_SYSTEM_NAMESPACE}`;
/** The token Secret `istioctl create-remote-secret` creates for the reader on Kubernetes >= 1.24. */
export const READER_TOKEN_SECRET = `${READER_SERVICE_ACCOUNT}-istio-remote-secret-token`;
/** The selector-less Service injected proxies reach the control plane through. */
export const ISTIOD_SERVICE = 'istiod';
/** The remote's sidecar injection webhook configuration. */
export const SIDECAR_INJECTOR_WEBHOOK = 'istio-sidecar-injector';

export const LABELS = {
  multiClusterSecret: 'istio/multiCluster',
  network: 'topology.istio.io/network',
  injection: 'istio-injection',
  sidecarInject: 'sidecar.istio.io/inject',
  revision: 'istio.io/rev',
  gatewaySelector: 'istio',
  app: 'app',
  version: 'version',
} as const;

export const ANNOTATIONS = {
  clusterName: 'networking.istio.io/cluster',
  controlPlaneClusters: 'topology.istio.io/controlPlaneClusters',
  injectTemplates: 'inject.istio.io/templates',
} as const;

/** Ports of the control plane as seen from a remote. */
export const ISTIOD_PORTS = {
  xds: 15012,
  webhookService: 443,
  webhookContainer: 15017,
  gatewayStatus: 15021,
} as const;

/** `istio-remote-secret-<cluster>`, as `istioctl create-remote-secret --name <cluster>` names it. */
export function remoteSecretName(clusterName: string): string {
  return `istio-remote-secret-${clusterName}`;
}

/** The injection path carrying the remote's cluster ID and network to istiod. */
export function injectionPath(clusterName: string, network: string): string {
  return `/inject/cluster/${clusterName}/net/${network}`;
}

/** The Flux post-build variable that holds a remote's reader token. */
export function tokenVariable(clusterName: string): string {
  return `ISTIO_REMOTE_TOKEN_${clusterName.toUpperCase().replace(/-/g, '_')}`;
}

/** The external-secrets remote key a remote's reader token is read from. */
export function tokenRemoteKey(clusterName: string): string {
  return `istio-remote-token-${clusterName}`;
}

/** The remote-secret key inside an ExternalSecret store entry. */
export const TOKEN_PROPERTY = 'token';
