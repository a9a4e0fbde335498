/**
 * The input of the mesh model: the inventory file's shape, usable as a typed object in code.
 *
 * Field names follow the inventory (including the seed's snake_case `istio_control_plane`) so
 * that a YAML inventory and a `MeshSpec` literal are the same thing and go through the same
 * validation.
 */

import type { GlobalLoadBalancerSpec } from './global-load-balancer';

/** The Kubernetes distribution a cluster runs. */
export type ClusterPlatform = 'kubernetes' | 'openshift';

/** How Istio itself is installed: Helm values under `install/`, or the Sail operator's custom resources per cluster. */
export type MeshInstaller = 'helm' | 'sail';

/** The Sail operator's control-plane update strategies. */
export type SailUpdateStrategy = 'InPlace' | 'RevisionBased';

/**
 * What a control plane's `controlPlaneAddress` is, which decides how remotes reach istiod:
 * `eastwest-gateway` (upstream's way) the east-west gateway passing 15012 and 15017 through,
 * `istiod-service` istiod's Service IP (routed service ranges, the OpenShift seed),
 * `istiod-pod` an istiod pod IP (routed pod ranges, the IBM seed; it changes on restart).
 */
export type ControlPlaneAddressKind = 'eastwest-gateway' | 'istiod-service' | 'istiod-pod';
/** The type of a cluster's east-west gateway Service. */
export type EastWestGatewayServiceType = 'LoadBalancer' | 'ClusterIP';

/** Where a remote secret's bearer token comes from. */
export type CredentialSource = 'external-secret' | 'flux-substitution' | 'inline';

/** Mesh-wide settings. */
export interface MeshSettingsSpec {
  /**
   * The mesh ID (`global.meshID`).
   * @default mesh1
   */
  readonly id?: string;
  /**
   * The network of clusters that name none.
   * @default network1
   */
  readonly network?: string;
  /**
   * The SPIFFE trust domain shared by every cluster.
   * @default cluster.local
   */
  readonly trustDomain?: string;
  /**
   * The Istio minor release the output targets (`"1.24"` to `"1.30"`), as a string. It decides
   * everything that differs between releases: the remote's istiod Endpoints or EndpointSlice,
   * the trust-domain ConfigMap remotes need from 1.29, and the chart values. (Every supported
   * release serves the `v1` Istio APIs and asks for `v1` admission reviews.) With `revisions`,
   * the default revision's `istioVersion`.
   * @default - the default revision's `istioVersion` with `revisions`, else "1.30"
   */
  readonly istioVersion?: string;
  /**
   * The istiod revisions the mesh runs, each on every cluster (a canary upgrade runs two). A
   * revision's name is the `istio.io/rev` value namespaces and gateways select it by and the
   * suffix of its objects' names (`istiod-<name>`): a DNS-1123 label of at most 56 characters
   * (no `.`: `1-30-3`, not `1.30.3`); with `installer: sail` the name the operator gives it,
   * `default-v<version with '-'>` (`default-v1-30-3`).
   * @default - one revision at `mesh.istioVersion`: `default` (`default-v1-30-3` under Sail's RevisionBased)
   */
  readonly revisions?: readonly RevisionSpec[];
  /**
   * Tag -> the revision it names: namespaces and gateways that select a tag move to another
   * revision when the tag does. A tag is a DNS-1123 label of at most 43 characters, named as no
   * revision; `default` is not a tag here but `defaultRevision`.
   * @default - none
   */
  readonly revisionTags?: Readonly<Record<string, string>>;
  /**
   * The revision `istio-injection=enabled`, `sidecar.istio.io/inject=true` and the tag `default`
   * select; a name of `revisions`.
   * @default - the first of `revisions`
   */
  readonly defaultRevision?: string;
  /**
   * `helm`: Helm values under `install/`, installed by hand. `sail`: each cluster's folder holds its
   * `sailoperator.io/v1` `Istio` (and `IstioCNI` when the mesh has OpenShift clusters), for the Sail
   * operator (OpenShift Service Mesh 3) to install, so the whole mesh is delivered from Git.
   * @default helm
   */
  readonly installer?: MeshInstaller;
  /**
   * Settings of the `sail` installer; only allowed with `installer: sail`.
   * @default - every default of SailSpec
   */
  readonly sail?: SailSpec;
  /**
   * How the control plane's remote secrets obtain each remote's bearer token.
   * @default - an ExternalSecret per remote, reading from the `istio-remote-tokens` ClusterSecretStore
   */
  readonly credentials?: CredentialsSpec;
  /**
   * Zone-aware routing: where traffic stays and where it goes when a zone, region or cluster fails.
   * @default - `mode: failover` once any cluster names a region; `off` otherwise
   */
  readonly locality?: LocalitySpec;
  /**
   * A global load balancer (external-dns or k8gb) over the TLS ingress gateways that serve its
   * `hostname` (in an inventory: Bookinfo's gateway, whose host it must be).
   * @default - none
   */
  readonly globalLoadBalancer?: GlobalLoadBalancerSpec;
  /**
   * Where the mesh's workload certificates come from: istiod's own self-signed root, a plug-in CA
   * from the organisation's PKI, cert-manager, or cert-manager's istio-csr (docs/trust.md).
   * @default - `source: self-signed`: istiod creates its root on first start
   */
  readonly trust?: TrustSpec;
}

/**
 * What signs the mesh's workload certificates: `self-signed` istiod's own root (Secret
 * `istio-ca-secret`, created on first start); `plugin-secret` istiod's CA with the `cacerts` Secret
 * provided out of band (Vault, external-secrets, a sealed secret); `cert-manager` istiod's CA with
 * `cacerts` written by a cert-manager intermediate `Certificate`; `istio-csr` cert-manager's
 * istio-csr instead of istiod's CA, in every cluster.
 */
export type TrustSource = 'self-signed' | 'plugin-secret' | 'cert-manager' | 'istio-csr';

/**
 * One step of a root rotation without downtime, each a synthesis committed after the previous one
 * has rolled out: `multi-root` turns on istiod's multi-root support and the proxies' XDS-delivered
 * proxy config; `both-roots` keeps signing with the old intermediate while every proxy trusts both
 * roots; `new-root` signs with the intermediate of the new root while the old root stays trusted.
 */
export type TrustRotationStage = 'multi-root' | 'both-roots' | 'new-root';

/** The kinds of cert-manager issuer. */
export type IssuerKind = 'Issuer' | 'ClusterIssuer';

/** A reference to a cert-manager issuer (API group `cert-manager.io`): every issuer the output names is given so. */
export interface IssuerRefSpec {
  /**
   * `Issuer` (in the namespace of the Certificate) or `ClusterIssuer`.
   * @default Issuer
   */
  readonly kind?: IssuerKind;
  /** The issuer's name. */
  readonly name: string;
}

/** The mesh's trust chain (`mesh.trust`). */
export interface TrustSpec {
  /**
   * `self-signed`, `plugin-secret`, `cert-manager` or `istio-csr`.
   * @default self-signed
   */
  readonly source?: TrustSource;
  /**
   * `plugin-secret` and `cert-manager`: the clusters that hold CA material (`cacerts`). In
   * primary-remote only the control plane's istiod signs, so only it needs one.
   * @default - the control-plane cluster
   */
  readonly clusters?: readonly string[];
  /**
   * `plugin-secret` only: an external-secrets `ExternalSecret` renders `cacerts` from a store entry
   * per cluster, whose properties are the Secret's keys.
   * @default - none: `cacerts` is created out of band
   */
  readonly externalSecret?: TrustExternalSecretSpec;
  /**
   * `cert-manager` and `istio-csr`: an existing issuer that signs each cluster's intermediate,
   * present in every cluster that holds CA material and chaining to one root (Vault, an offline
   * root's CA issuer).
   * @default - a root made by cert-manager in istio-system (a self-signed Issuer, the root Certificate and its CA Issuer); only for one cluster with CA material, as each cluster would make its own root
   */
  readonly issuer?: IssuerRefSpec;
  /**
   * The generated root's lifetime (a Go duration).
   * @default 87600h
   */
  readonly rootDuration?: string;
  /**
   * Each intermediate's lifetime (a Go duration); istiod reloads a renewed one without a restart.
   * @default 8760h
   */
  readonly intermediateDuration?: string;
  /**
   * How long before expiry cert-manager renews an intermediate (a Go duration).
   * @default 720h
   */
  readonly intermediateRenewBefore?: string;
  /**
   * `istio-csr` only: its settings.
   * @default - every default of IstioCsrSpec
   */
  readonly istioCsr?: IstioCsrSpec;
  /**
   * The public certificate chain of each cluster's CA, as base64 of PEM (`base64 -w0
   * cert-chain.pem`: the intermediate first, the root last), checked at synthesis: a CA with
   * `keyCertSign`, one root for every cluster. Never a private key.
   * @default - none: the chain is not checked
   */
  readonly certificates?: Readonly<Record<string, string>>;
  /**
   * Write the `certificates` (and the rotation's `roots`) into the output: a ConfigMap
   * `istio-ca-chain` per cluster, and MeshConfig `caCertificates`. Certificates only, never keys.
   * @default false
   */
  readonly writeCertificates?: boolean;
  /**
   * The current step of a root rotation without downtime (docs/trust.md).
   * @default - none: no rotation under way
   */
  readonly rotation?: TrustRotationSpec;
}

/** Where the `plugin-secret` source's ExternalSecret reads `cacerts` from. */
export interface TrustExternalSecretSpec {
  /**
   * The external-secrets store.
   * @default - the store of mesh.credentials
   */
  readonly secretStore?: SecretStoreRefSpec;
  /**
   * The store entry of a cluster's CA, `<cluster>` replaced by the cluster name; its properties
   * `ca-cert.pem`, `ca-key.pem`, `cert-chain.pem` and `root-cert.pem` become the Secret's keys.
   * @default istio-cacerts-<cluster>
   */
  readonly remoteKey?: string;
  /**
   * How often external-secrets refreshes `cacerts` (istiod reloads a new intermediate by itself).
   * @default 1h
   */
  readonly refreshInterval?: string;
}

/** cert-manager's istio-csr on every cluster. */
export interface IstioCsrSpec {
  /**
   * The namespace istio-csr runs in; its Service `cert-manager-istio-csr` there is every proxy's CA address.
   * @default cert-manager
   */
  readonly namespace?: string;
  /**
   * The istio-csr chart version the install commands pin.
   * @default v0.17.0
   */
  readonly chartVersion?: string;
  /**
   * The lifetime of the workload certificates it signs (`app.tls.certificateDuration`, at most
   * `app.server.maxCertificateDuration`, which is set to the same).
   * @default 1h
   */
  readonly certificateDuration?: string;
}

/** A step of a root rotation. */
export interface TrustRotationSpec {
  /** `multi-root`, `both-roots` or `new-root`. */
  readonly stage: TrustRotationStage;
  /**
   * `both-roots` and `new-root`: the root that proxies must trust beside the one istiod signs
   * with (the new root during `both-roots`, the old one during `new-root`), as base64 of PEM;
   * written to MeshConfig `caCertificates`, so it needs `writeCertificates: true`.
   * @default - none: the roots come only from `cacerts`' `root-cert.pem` (old and new concatenated)
   */
  readonly roots?: string;
}

/**
 * How Istio's locality load balancing routes a service: `failover` keeps traffic in the caller's
 * subzone, zone, region (in that order) while endpoints there are healthy; `distribute` spreads it
 * by weights; `off` ignores locality.
 */
export type LocalityMode = 'failover' | 'distribute' | 'off';

/** A region traffic fails over to when the endpoints of its own region are unhealthy (`failover[]` of Istio). */
export interface LocalityFailoverSpec {
  /** The region of the caller. */
  readonly from: string;
  /** The region it fails over to. */
  readonly to: string;
}

/** Weights of the localities a caller's traffic goes to (`distribute[]` of Istio). */
export interface LocalityDistributeSpec {
  /** The caller's locality, `region/zone/subzone`, ending in `*` to match several. */
  readonly from: string;
  /** Locality (`region/zone/subzone`, may end in `*`) -> percent of the traffic; they sum to 100. */
  readonly to: Readonly<Record<string, number>>;
}

/** The locality policy of one service, overriding the mesh's. */
export interface ServiceLocalitySpec {
  /**
   * @default - `failover` when `failover` is given, `distribute` when `distribute` is, else the mesh's mode
   */
  readonly mode?: LocalityMode;
  /**
   * Region -> region failover pairs.
   * @default - the mesh's
   */
  readonly failover?: readonly LocalityFailoverSpec[];
  /**
   * Weights per caller locality; only with `mode: distribute`.
   * @default - the mesh's
   */
  readonly distribute?: readonly LocalityDistributeSpec[];
}

/** Mesh-wide locality policy. */
export interface LocalitySpec extends ServiceLocalitySpec {
  /**
   * `failover`, `distribute` or `off`.
   * @default - `failover` once any cluster names a region; `off` otherwise
   */
  readonly mode?: LocalityMode;
  /**
   * Ordered labels endpoints are preferred by when they match the caller's (e.g.
   * `topology.istio.io/network`); only with `mode: failover`.
   * @default - none: region, zone and subzone, in Istio's order
   */
  readonly failoverPriority?: readonly string[];
  /**
   * The outlier detection every multi-locality service's DestinationRule carries while failover is
   * on (Istio never fails over without it).
   * @default { consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100 }
   */
  readonly outlierDetection?: OutlierDetectionSpec;
  /**
   * Services kept inside each cluster: a client sees only the endpoints of its own cluster
   * (MeshConfig `serviceSettings[].settings.clusterLocal`).
   * @default - none
   */
  readonly clusterLocal?: ClusterLocalSpec;
}

/** Outlier detection settings (`trafficPolicy.outlierDetection` of a DestinationRule). */
export interface OutlierDetectionSpec {
  /**
   * 5xx answers in a row before an endpoint is ejected.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Time between ejection sweeps (a duration such as `10s`).
   * @default 10s
   */
  readonly interval?: string;
  /**
   * Minimum time an endpoint stays ejected.
   * @default 30s
   */
  readonly baseEjectionTime?: string;
  /**
   * Percent of a service's endpoints that may be ejected: 100 lets a whole locality go, so that
   * traffic fails over.
   * @default 100
   */
  readonly maxEjectionPercent?: number;
}

/** Services kept inside each cluster. */
export interface ClusterLocalSpec {
  /**
   * Namespaces all of whose services are cluster-local.
   * @default - none
   */
  readonly namespaces?: readonly string[];
  /**
   * Services, as `<name>.<namespace>`.
   * @default - none
   */
  readonly services?: readonly string[];
}

/** How remote-secret tokens reach the control plane without landing in Git. */
export interface CredentialsSpec {
  /**
   * `external-secret`: an `external-secrets.io/v1` ExternalSecret renders the remote secret.
   * `flux-substitution`: the token is a `${VAR}` placeholder for Flux post-build substitution.
   * `inline`: the token from the inventory is written into `dist/` (needs an explicit opt-in).
   * @default external-secret
   */
  readonly source?: CredentialSource;
  /**
   * The external-secrets store holding the tokens.
   * @default { kind: ClusterSecretStore, name: istio-remote-tokens }
   */
  readonly secretStore?: SecretStoreRefSpec;
  /**
   * How often external-secrets refreshes the token.
   * @default 1h
   */
  readonly refreshInterval?: string;
}

/** One istiod revision of the mesh. */
export interface RevisionSpec {
  /** DNS-1123 label of at most 56 characters, unique among the revisions, e.g. `1-30-3`. */
  readonly name: string;
  /** The Istio minor its istiod runs (`"1.24"` to `"1.30"`), as a string. */
  readonly istioVersion: string;
}

/** The Sail operator's settings. */
export interface SailSpec {
  /**
   * `InPlace` replaces the control plane on a version change; `RevisionBased` runs a new
   * revision beside the old one, and injected namespaces follow an `IstioRevisionTag`.
   * @default InPlace
   */
  readonly updateStrategy?: SailUpdateStrategy;
  /**
   * `RevisionBased` only: the `IstioRevisionTag` on the control plane that injected namespaces of
   * the control-plane cluster name in `istio.io/rev`.
   * @default default
   */
  readonly revisionTag?: string;
  /**
   * An OLM `Subscription` to the operator in every cluster's folder.
   * @default - none: the operator is a prerequisite, installed before the folders are applied
   */
  readonly subscription?: SailSubscriptionSpec;
}

/** The OLM Subscription that installs the Sail operator. */
export interface SailSubscriptionSpec {
  /** The update channel, e.g. `stable` (OpenShift Service Mesh 3) or `stable-3.2`. */
  readonly channel: string;
  /**
   * The operator's package in the catalog (`servicemeshoperator3` for OpenShift Service Mesh 3).
   * @default sailoperator
   */
  readonly name?: string;
  /**
   * The CatalogSource (`redhat-operators` for OpenShift Service Mesh 3).
   * @default community-operators
   */
  readonly source?: string;
  /**
   * The CatalogSource's namespace.
   * @default openshift-marketplace
   */
  readonly sourceNamespace?: string;
  /**
   * The namespace the Subscription (and so the operator) lives in; it must have an OperatorGroup,
   * as `openshift-operators` has on OpenShift.
   * @default openshift-operators
   */
  readonly namespace?: string;
}

/** A reference to an external-secrets store. */
export interface SecretStoreRefSpec {
  /**
   * `ClusterSecretStore` or `SecretStore`.
   * @default ClusterSecretStore
   */
  readonly kind?: 'ClusterSecretStore' | 'SecretStore';
  /** The store's name. */
  readonly name: string;
}

/** One cluster of the mesh. */
export interface ClusterSpec {
  /** DNS-1123 label, unique in the mesh; it is the Istio cluster ID. */
  readonly name: string;
  /** The cluster's API server URL (http or https). */
  readonly url: string;
  /**
   * Whether this cluster hosts the mesh's only control plane.
   * @default false
   */
  readonly istio_control_plane?: boolean;
  /**
   * Control plane only: the address remotes reach istiod at (IP or DNS name), of the kind
   * `controlPlaneAddressKind` says.
   * @default - when the mesh has remotes, a placeholder that fails at apply time, with a warning
   * (the seed's inventory has no address: its playbook read it from the live cluster)
   */
  readonly controlPlaneAddress?: string;
  /**
   * Control plane only: what `controlPlaneAddress` is, and so how remotes reach istiod.
   * @default eastwest-gateway
   */
  readonly controlPlaneAddressKind?: ControlPlaneAddressKind;
  /**
   * The type of this cluster's east-west gateway Service: `LoadBalancer` when clusters of other
   * networks reach it (every gateway of a mesh on several networks), `ClusterIP` on one network,
   * where the other clusters reach it at its Service IP over the routed service ranges (the Sail
   * operator's single-network guide patches it so) and a load balancer would only be waited for.
   * @default - LoadBalancer in a mesh on several networks, else ClusterIP
   */
  readonly eastWestGatewayServiceType?: EastWestGatewayServiceType;
  /**
   * Remote only: the full sidecar injection URL (`istiodRemote.injectionURL`), used instead of
   * the `istiod` Service path.
   * @default - the webhook calls Service `istiod:443` at `/inject/cluster/<name>/net/<network>`
   */
  readonly injectionUrl?: string;
  /**
   * The cluster's network.
   * @default - the mesh network
   */
  readonly network?: string;
  /**
   * `openshift` installs Istio with the CNI plugin and OpenShift's injection settings (its
   * restricted security policy rejects the privileged `istio-init` container).
   * @default kubernetes
   */
  readonly platform?: ClusterPlatform;
  /**
   * Locality region (`topology.kubernetes.io/region`).
   * @default - none
   */
  readonly region?: string;
  /**
   * Locality zone (`topology.kubernetes.io/zone`); needs `region`.
   * @default - none
   */
  readonly zone?: string;
  /**
   * Locality subzone (`topology.istio.io/subzone`); needs `zone`.
   * @default - none
   */
  readonly subzone?: string;
  /**
   * Whether this cluster's workloads and gateways carry the pod label that overrides locality
   * (`istio-locality: <region>.<zone>.<subzone>`). Set false when the cluster's nodes carry the
   * topology labels themselves.
   * @default - true when the cluster names a region
   */
  readonly localityLabel?: boolean;
  /**
   * The pod CIDR, checked for overlaps across the flat network.
   * @default - not checked
   */
  readonly podCidr?: string;
  /**
   * The service CIDR, checked for overlaps across the flat network.
   * @default - not checked
   */
  readonly serviceCidr?: string;
  /**
   * The bearer token of the cluster's `istio-reader-service-account`; only written with the
   * inline credential opt-in.
   * @default - none
   */
  readonly token?: string;
  /**
   * The API server's CA, base64-encoded PEM as a kubeconfig's `certificate-authority-data` holds
   * it; the inline credential source writes it into the remote secret's kubeconfig (the other
   * sources take the CA from the reader token Secret).
   * @default - none: istiod verifies the API server against its system roots
   */
  readonly caData?: string;
  /**
   * The kubeconfig context `cdk8s-istio-multicluster tokens` reads the cluster's reader token through.
   * @default - the cluster name
   */
  readonly context?: string;
  /**
   * Accepted for compatibility with the seed's Ansible inventory; never written.
   * @default - none
   */
  readonly username?: string;
  /**
   * Accepted for compatibility with the seed's Ansible inventory; never written.
   * @default - none
   */
  readonly password?: string;
}

/** The whole input: the inventory file's content. */
export interface MeshSpec {
  /**
   * Mesh-wide settings.
   * @default - every default of MeshSettingsSpec
   */
  readonly mesh?: MeshSettingsSpec;
  /** The clusters; exactly one has `istio_control_plane: true`. */
  readonly clusters: readonly ClusterSpec[];
}
