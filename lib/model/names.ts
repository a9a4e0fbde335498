/**
 * The names the clusters see: every object name, label, annotation, Istio path and DNS rule that
 * more than one cluster (or a cluster and istiod) must agree on is derived here, from the cluster
 * and mesh model. Two other families of names are derived elsewhere, each in one place: the output
 * layout (folders and object file names) in `lib/manifest/mesh-manifests.ts` and
 * `lib/manifest/install-layout.ts`; delivery names in `lib/writer/`: `kustomization.yaml` in
 * `render-tree.ts`, the phases' Flux Kustomizations and Argo CD Applications in
 * `delivery-phases.ts`, the `gitops/` folders and the GitOps objects' label and Secrets in
 * `gitops.ts`.
 */

/** The network of clusters when neither they nor the mesh name one. */
export const DEFAULT_NETWORK = 'network1';

/**
 * Stands for a control-plane address the inventory does not give. Neither an IP nor a DNS name,
 * so the API server rejects the remote's `istiod` Service carrying it (and Helm's rendering of
 * it) at apply time, rather than remotes reaching a plausible wrong address.
 */
export const CONTROL_PLANE_ADDRESS_PLACEHOLDER = 'CONTROL_PLANE_ADDRESS_NOT_SET';

/** The Istio system namespace, in every cluster. */
export const ISTIO_SYSTEM_NAMESPACE = 'istio-system';
/** Where the CNI plugin's node agent runs. */
export const KUBE_SYSTEM_NAMESPACE = 'kube-system';
/** The service account whose token the control plane uses to read a remote. */
export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';
/** The reader ClusterRole (and its binding): `istio-reader-clusterrole-<releaseNamespace>`. */
export const READER_CLUSTER_ROLE = `istio-reader-clusterrole-${ISTIO_SYSTEM_NAMESPACE}`;
/** The token Secret `istioctl create-remote-secret` creates for the reader on Kubernetes >= 1.24. */
export const READER_TOKEN_SECRET = `${READER_SERVICE_ACCOUNT}-istio-remote-secret-token`;
/** The mesh config ConfigMap of the default revision, and its key (istio/istio `pkg/config/mesh/kubemesh`). */
export const MESH_CONFIG_MAP = 'istio';
export const MESH_CONFIG_KEY = 'mesh';
/** The trust domain istiod assumes where no mesh config names one. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
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
  /**
   * The pod label that overrides the locality Istio reads from node labels, `<region>.<zone>.<subzone>`
   * (label values cannot hold `/`). Istio 1.29 and later read `topology.istio.io/locality` first, and
   * every release reads this one (`GetLocalityLabel` in `pkg/model/proxy.go`), so it serves every
   * Istio version the tool renders for.
   */
  locality: 'istio-locality',
} as const;

/** The labels Istio reads a pod's locality override from, in the order it reads them (`pkg/model/proxy.go`, 1.30). */
export const POD_LOCALITY_LABELS = ['topology.istio.io/locality', LABELS.locality] as const;

/** The node labels Istio reads locality from, which `failoverPriority` may name too. */
export const TOPOLOGY_LABELS = {
  region: 'topology.kubernetes.io/region',
  zone: 'topology.kubernetes.io/zone',
  subzone: 'topology.istio.io/subzone',
} as const;

/** The value of the locality pod label: region, zone and subzone joined by `.`, as Istio reads it back. */
export function localityLabelValue(parts: readonly string[]): string {
  return parts.join('.');
}

/** The MeshConfig `serviceSettings` host of one Service. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** The MeshConfig `serviceSettings` host of every Service of a namespace. */
export function namespaceHosts(namespace: string): string {
  return `*.${namespace}.svc.cluster.local`;
}

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

/** Kubernetes' DNS-1123 label: what namespaces and most object names must be. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Kubernetes' DNS-1035 label: what Service names must be (a letter first). */
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Kubernetes' DNS-1123 subdomain: what most object names (Secrets, stores, issuers) must be. */
export function isDnsSubdomain(text: string): boolean {
  return text.length <= 253 && text.split('.').every((label) => DNS1123_LABEL.test(label));
}

/** A DNS name a client resolves: a DNS-1123 subdomain that is not all digits and dots (an IPv4 address). */
export function isDnsName(text: string): boolean {
  return isDnsSubdomain(text) && !/^[\d.]+$/.test(text);
}

/** A host a Gateway serves and a Certificate names: a DNS name, optionally with a leading `*.`. */
export function isHostName(value: string): boolean {
  return isDnsName(value.startsWith('*.') ? value.slice(2) : value);
}

/** A Kubernetes label value: at most 63 characters, alphanumerics with '-', '_' or '.' inside. */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Namespaces of Kubernetes and of the mesh itself, in every mesh, with why an application may not take them. */
export const RESERVED_NAMESPACES: ReadonlyMap<string, string> = new Map([
  [KUBE_SYSTEM_NAMESPACE, "Kubernetes' own (and where the CNI plugin's node agent runs)"],
  ['kube-public', "Kubernetes' own"],
  ['kube-node-lease', "Kubernetes' own"],
  [ISTIO_SYSTEM_NAMESPACE, 'where the mesh runs istiod and its gateways'],
]);

/** What the tool installs into a mesh beyond its own namespaces, which decides what else an application may not take. */
export interface ToolNamespaces {
  /** The namespace of the Sail operator's Subscription (`installer: sail`), when the tool installs into it. */
  readonly sailOperator?: string;
  /** The namespace of the Sail operator's `IstioCNI` (`installer: sail` with OpenShift clusters). */
  readonly sailCni?: string;
}

/**
 * What is wrong with an application namespace, or undefined when it is a DNS-1123 label no one
 * else owns. `default` is the user's own namespace (the IBM seed labels it for injection, as
 * upstream's Bookinfo guide does), so it is accepted.
 */
export function appNamespaceProblem(namespace: string, tool: ToolNamespaces = {}): string | undefined {
  if (typeof namespace !== 'string' || !DNS1123_LABEL.test(namespace)) {
    return `${JSON.stringify(namespace) ?? String(namespace)} is not a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`;
  }
  const reasons = new Map(RESERVED_NAMESPACES);
  if (tool.sailOperator !== undefined) reasons.set(tool.sailOperator, 'where the Sail operator runs (installer: sail); injection and STRICT mTLS there would reach the operator');
  if (tool.sailCni !== undefined) reasons.set(tool.sailCni, "where the Sail operator's IstioCNI runs the CNI plugin's node agent");
  const reason = reasons.get(namespace);
  if (reason) return `"${namespace}" is reserved: ${reason}; choose a namespace of the application's own`;
  return undefined;
}

/** Returns `value` when it is a DNS-1123 label; throws an Error naming `what` otherwise. */
export function requireDnsLabel(value: string, what: string): string {
  // A JavaScript caller may pass any value; RegExp.test would read a number or null as its text.
  if (typeof value !== 'string' || !DNS1123_LABEL.test(value)) {
    throw new Error(`${what} ${JSON.stringify(value) ?? String(value)} is not a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`);
  }
  return value;
}

/** Labels and annotations of split applications and their gateways, beyond Istio's own. */
export const APP_LABELS = {
  /** On each Service, naming it (as upstream Bookinfo: `kubectl apply -l service=reviews`). */
  service: 'service',
  /** Ambient mode must leave sidecar-injected gateway pods alone (Istio's gateway Helm chart). */
  dataplaneMode: 'istio.io/dataplane-mode',
} as const;

export const APP_ANNOTATIONS = {
  /**
   * On a workload's pod template: the Services it calls, comma-separated, so that a check reading
   * plain YAML can find a cluster whose callers lack the Service object (and so its DNS name).
   */
  calls: 'mesh.cdk8s.io/calls',
  /**
   * On a Service kept inside each cluster (MeshConfig `serviceSettings[].settings.clusterLocal`),
   * so that a check reading plain YAML knows that callers in other clusters cannot reach it.
   */
  clusterLocal: 'mesh.cdk8s.io/cluster-local',
  prometheusScrape: 'prometheus.io/scrape',
  prometheusPort: 'prometheus.io/port',
  prometheusPath: 'prometheus.io/path',
} as const;

/** Ports of a dedicated ingress gateway (Istio's gateway Helm chart). */
export const GATEWAY_PORTS = {
  https: 443,
  /** The merged (Envoy + application) Prometheus endpoint of the pod. */
  mergedPrometheus: 15020,
  envoyPrometheus: 15090,
} as const;

/** The name of a dedicated ingress gateway's TLS port, on its Service and its Gateway server (a Route's `targetPort`). */
export const GATEWAY_HTTPS_PORT_NAME = 'https';

/** The cert-manager API the gateway's Certificate and self-signed Issuer are rendered with. */
export const CERT_MANAGER_API_VERSION = 'cert-manager.io/v1';
export const CERT_MANAGER_GROUP = 'cert-manager.io';

/** The dedicated ingress gateway of an app namespace: `<namespace>-ingressgateway`, as in the OpenShift seed. */
export function defaultGatewayName(namespace: string): string {
  return `${namespace}-ingressgateway`;
}

/** The `kubernetes.io/tls` Secret cert-manager writes for a gateway: `<gateway>-tls`. */
export function gatewayCredentialName(gatewayName: string): string {
  return `${gatewayName}-tls`;
}

/** OpenShift's Route API, which a TLS gateway's `exposure: route` or `both` writes. */
export const OPENSHIFT_ROUTE_API_VERSION = 'route.openshift.io/v1';

/**
 * The Route of one of a gateway's hosts: `<gateway>` when it serves one host, else
 * `<gateway>-<n>` for its n-th host (from 1), in the order the hosts are given.
 */
export function gatewayRouteName(gatewayName: string, hostIndex: number, hostCount: number): string {
  return hostCount === 1 ? gatewayName : `${gatewayName}-${hostIndex + 1}`;
}

/** The annotation prefixes of external-dns: from 0.22 (`external-dns.kubernetes.io/`), and before. */
export const EXTERNAL_DNS_ANNOTATION_PREFIXES = ['external-dns.kubernetes.io/', 'external-dns.alpha.kubernetes.io/'] as const;

/** k8gb's API group and version (the vendor-neutral `k8gb.io`, since k8gb 0.20). */
export const K8GB_API_VERSION = 'k8gb.io/v1beta1';
/** The annotation k8gb's LoadBalancer-Service resolver reads the Gslb's name from. */
export const K8GB_HOSTNAME_ANNOTATION = 'k8gb.io/hostname';

/** The namespace-wide PeerAuthentication (no selector), named `default` as Istio's security docs name it. */
export const NAMESPACE_PEER_AUTHENTICATION = 'default';

/**
 * The mesh trust chain's names (`mesh.trust`, lib/model/trust.ts). `cacerts` is the Secret the
 * istiod chart mounts at `/etc/cacerts` (optional; every supported chart, `templates/deployment.yaml`),
 * istiod's `ROOT_CA_DIR`; istio-csr's issuer and Service are its chart's defaults (v0.17.0 `values.yaml`).
 */
export const TRUST_NAMES = {
  caSecret: 'cacerts',
  /** The root cert-manager makes when `mesh.trust.issuer` names none: self-signed Issuer, root Certificate and its Secret, CA Issuer. */
  rootSelfSignedIssuer: 'istio-root-selfsigned',
  root: 'istio-root-ca',
  /** istio-csr's signing intermediate: Certificate, Secret and CA Issuer (`app.certmanager.issuer.name`). */
  istioCsrIssuer: 'istio-ca',
  istioCsrService: 'cert-manager-istio-csr',
  istioCsrRelease: 'cert-manager-istio-csr',
  /** The public chain written with `writeCertificates`. */
  chainConfigMap: 'istio-ca-chain',
  chainKey: 'cert-chain.pem',
  /** istiod's (and istio-csr's) root ConfigMap in every namespace; never written into Git. */
  rootConfigMap: 'istio-ca-root-cert',
} as const;

/**
 * The trust chain's objects carry this label (value `ca`), so the install commands apply them
 * before istiod starts: istiod reads `cacerts` only at start (without one it makes its own root and
 * keeps it), and istio-csr signs only once its issuer exists. In Argo CD they go in the sync wave
 * of the operators (`-2`), before every mesh component and the Sail `Istio` (`-1`).
 */
export const TRUST_LABEL = { key: 'mesh.cdk8s.io/trust', value: 'ca' } as const;
export const TRUST_SYNC_WAVE = { 'argocd.argoproj.io/sync-wave': '-2' } as const;

/** `<cluster>` in a store key template is the cluster's name. */
export const CLUSTER_PLACEHOLDER = '<cluster>';

/** The self-signed cert-manager Issuer a TLS gateway emits when given no issuer. */
export const DEFAULT_SELF_SIGNED_ISSUER = 'selfsigned';

/** The revision of an Istio install made without `--revision`; its objects carry `istio.io/rev: default`. */
export const DEFAULT_REVISION = 'default';

/**
 * Who manages the objects this tool emits, in the labels where Istio's charts write the Helm
 * release service ("Helm"): no Helm release owns these objects.
 */
export const MANAGED_BY = 'cdk8s-istio-multicluster';

/** Recommended and well-known Kubernetes labels the remote-profile objects carry, as Istio's charts set them. */
export const KUBERNETES_LABELS = {
  name: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  /** Links an EndpointSlice to its Service. */
  serviceName: 'kubernetes.io/service-name',
  /** Tells the controllers that own EndpointSlices which slices are theirs. */
  endpointSliceManagedBy: 'endpointslice.kubernetes.io/managed-by',
  operatorComponent: 'operator.istio.io/component',
} as const;

/** The label of Istio's own components (the charts' `istio.labels`); mesh components are applied by it first. */
export const MESH_COMPONENT_LABELS = { 'app.kubernetes.io/part-of': 'istio' } as const;

/**
 * Mesh components that go at a stage of their own, as the label `INSTALL_STAGE_LABEL` says: the
 * operator before anything that needs its CRDs, and what needs an object the operator creates
 * (the reader token Secret, whose account the Sail operator renders) once the cluster's `Istio` is
 * reconciled. The README's commands and the GitOps phases select them by it.
 */
export const INSTALL_STAGE_LABEL = 'mesh.cdk8s.io/install-stage';
export const INSTALL_STAGES = { operator: 'operator', afterIstio: 'after-istio' } as const;
export type InstallStage = (typeof INSTALL_STAGES)[keyof typeof INSTALL_STAGES];

/**
 * The labels by which an object declares its delivery stage: a mesh component, of an install
 * stage of its own when given. The GitOps phases and the README's commands deliver the stages
 * these labels declare; an object without them is a workload of its folder.
 */
export function deliveryStageLabels(stage?: InstallStage): Record<string, string> {
  return stage === undefined ? { ...MESH_COMPONENT_LABELS } : { ...MESH_COMPONENT_LABELS, [INSTALL_STAGE_LABEL]: stage };
}

/**
 * Argo CD applies lower sync waves first and waits for them to be healthy: a remote's mesh
 * components (the injection webhook among them) go in a wave before its workloads.
 */
export const MESH_COMPONENT_ANNOTATIONS = { 'argocd.argoproj.io/sync-wave': '-1' } as const;

/** On a `kubernetes.io/service-account-token` Secret: the service account Kubernetes fills its token for. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

/** Port names of the selector-less `istiod` Service and of its endpoints on a remote. */
export const ISTIOD_PORT_NAMES = {
  xds: 'tcp-istiod',
  webhook: 'tcp-webhook',
} as const;

/** The four injection webhooks of the default revision, named as istiod's chart names them. */
export const SIDECAR_INJECTOR_WEBHOOKS = {
  revisionNamespace: 'rev.namespace.sidecar-injector.istio.io',
  revisionObject: 'rev.object.sidecar-injector.istio.io',
  namespace: 'namespace.sidecar-injector.istio.io',
  object: 'object.sidecar-injector.istio.io',
} as const;

/**
 * The key of the API server CA (PEM) in the reader token Secret, and so the property of a remote's
 * ExternalSecret store entry that holds it, beside `TOKEN_PROPERTY`.
 */
export const CA_PROPERTY = 'ca.crt';

/** The Flux post-build variable that holds a remote's API server CA, base64 as in the token Secret's `data`. */
export function caVariable(clusterName: string): string {
  return `ISTIO_REMOTE_CA_${clusterName.toUpperCase().replace(/-/g, '_')}`;
}

/** The east-west gateway, as upstream's `gen-eastwest-gateway.sh` and `istio/gateway` chart name it. */
export const EAST_WEST_GATEWAY = {
  name: 'istio-eastwestgateway',
  selector: { istio: 'eastwestgateway' },
  /** Gateway exposing istiod's xDS/CA and webhook ports to remotes (`samples/multicluster/expose-istiod.yaml`). */
  istiodGateway: 'istiod-gateway',
  istiodVirtualService: 'istiod-vs',
  /** Gateway exposing every `*.local` service across networks (`samples/multicluster/expose-services.yaml`). */
  crossNetworkGateway: 'cross-network-gateway',
  /** Port of mTLS traffic between networks (AUTO_PASSTHROUGH). */
  crossNetworkPort: 15443,
  /** Proxy env that keeps traffic through the gateway inside its network. */
  requestedNetworkViewEnv: 'ISTIO_META_REQUESTED_NETWORK_VIEW',
} as const;
