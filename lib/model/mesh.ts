import { workloadNames, type AppDefinition } from './app-definition';
import {
  DEFAULT_ISTIO_VERSION,
  istiodEndpointsKind,
  readsRemoteMeshConfig,
  type IstiodEndpointsKind,
  type IstioVersion,
} from './istio-version';
import type { GlobalLoadBalancerSpec } from './global-load-balancer';
import { localityParts, localityPodLabels, resolveLocality, type Locality } from './locality';
import type {
  ClusterPlatform,
  ControlPlaneAddressKind,
  CredentialSource,
  EastWestGatewayServiceType,
  MeshInstaller,
  MeshSpec,
  SailUpdateStrategy,
} from './mesh-spec';
import { MeshValidationError } from './mesh-validation-error';
import {
  CONTROL_PLANE_ADDRESS_PLACEHOLDER,
  DEFAULT_NETWORK,
  DEFAULT_REVISION,
  DEFAULT_TRUST_DOMAIN,
  LABELS,
  injectionPath,
  tokenVariable,
  type ToolNamespaces,
} from './names';
import { istiodServiceName, meshConfigMapName, meshIstioVersion, resolveRevisions, revisionSelectorProblem, selectedRevision, type Revisions } from './revisions';
import { SAIL_ISTIO_NAME, SAIL_SUBSCRIPTION_DEFAULTS, sailRevisionName, sailToolNamespaces, sailVersionFor } from './sail';
import { DEFAULT_PLACEMENT_KEY } from './placement';
import type { SpecSection } from './spec-section';
import { isIpAddress, validateMeshSpec } from './validate-mesh';
import { parseCidr, parseIp, rangeHolds } from './cidr';
import { resolveTrust, type Trust } from './trust';

/** A cluster of the mesh, with every default applied. */
export interface Cluster {
  /** The Istio cluster ID. */
  readonly name: string;
  readonly url: string;
  readonly isControlPlane: boolean;
  readonly network: string;
  readonly platform: ClusterPlatform;
  readonly region?: string;
  readonly zone?: string;
  readonly subzone?: string;
  /** `region[/zone[/subzone]]`, as Istio writes a locality; none when the cluster names no region. */
  readonly locality?: string;
  /** The locality override its workloads and gateways carry; empty when its nodes carry topology labels. */
  readonly localityPodLabels: Readonly<Record<string, string>>;
  readonly podCidr?: string;
  readonly serviceCidr?: string;
  /** Control plane only: where remotes reach istiod. */
  readonly controlPlaneAddress?: string;
  /** Control plane only: what `controlPlaneAddress` is (default `eastwest-gateway`). */
  readonly controlPlaneAddressKind?: ControlPlaneAddressKind;
  /** The type of its east-west gateway Service (`ClusterSpec.eastWestGatewayServiceType`). */
  readonly eastWestGatewayServiceType: EastWestGatewayServiceType;
  /** Remote only: the full injection URL, when set. */
  readonly injectionUrl?: string;
  /** The path the remote's injection webhook calls istiod at. */
  readonly injectionPath: string;
  /** The reader token, only present when the inventory gave one. */
  readonly token?: string;
  /** The variable a `${VAR}` placeholder names for this cluster's token. */
  readonly tokenVariable: string;
  /** The API server CA, base64 PEM, only present when the inventory gave one. */
  readonly caData?: string;
  /** The kubeconfig context the cluster is read through. */
  readonly context: string;
}

/** How remote-secret tokens are obtained. */
export interface Credentials {
  readonly source: CredentialSource;
  readonly secretStore: { readonly kind: 'ClusterSecretStore' | 'SecretStore'; readonly name: string };
  readonly refreshInterval: string;
}

/** The `sail` installer's settings with defaults applied. */
export interface Sail {
  /** `spec.version` of every Sail resource. */
  readonly version: string;
  readonly updateStrategy: SailUpdateStrategy;
  /** The `IstioRevision` the operator creates in every cluster (same name and version everywhere). */
  readonly revision: string;
  /** `RevisionBased` only: the `IstioRevisionTag` on the control plane. */
  readonly revisionTag?: string;
  /** The OLM Subscription to emit, when asked for. */
  readonly subscription?: {
    readonly channel: string;
    readonly name: string;
    readonly source: string;
    readonly sourceNamespace: string;
    readonly namespace: string;
  };
}

/** A split application: its definition, namespace and workload placement. */
export interface AppPlacement {
  readonly app: AppDefinition;
  readonly namespace: string;
  /** Workload (`<service>-<version>`) -> the clusters that run it. */
  readonly placement: ReadonlyMap<string, readonly string[]>;
}

/** Options of `Mesh.fromSpec` and `Mesh.fromUnknown`. */
export interface MeshFromSpecOptions {
  /**
   * The file the spec came from, named in error messages.
   * @default - "mesh spec"
   */
  readonly source?: string;
  /**
   * Cluster name -> the environment variable its token was looked up from.
   * @default - none
   */
  readonly tokenVariables?: Readonly<Record<string, string>>;
  /**
   * Sections beyond the model's that the spec may hold (such as an application preset's), checked
   * with it; the model itself ignores them.
   * @default - none: any other key at the spec's root is unknown
   */
  readonly sections?: readonly SpecSection[];
}

/**
 * The mesh model: the single source of truth every construct derives its names, labels and
 * addresses from. Immutable; built only from a validated spec.
 */
export class Mesh {
  /**
   * Validates a `MeshSpec` written in code and builds the model. The type gives completion and
   * compile-time errors; what it cannot express (one control plane, CIDR overlaps, ...) is
   * checked at run time and throws `MeshValidationError` listing every issue.
   */
  public static fromSpec(spec: MeshSpec, options: MeshFromSpecOptions = {}): Mesh {
    return Mesh.fromUnknown(spec, options);
  }

  /**
   * Validates a value of unknown shape (parsed YAML or JSON, such as an inventory's content) and
   * builds the model; throws `MeshValidationError` listing every issue.
   */
  public static fromUnknown(value: unknown, options: MeshFromSpecOptions = {}): Mesh {
    const issues = validateMeshSpec(value, { sections: options.sections, tokenVariables: options.tokenVariables });
    if (issues.length > 0) throw new MeshValidationError(issues, options.source);
    return new Mesh(value as MeshSpec, options);
  }

  public readonly id: string;
  public readonly network: string;
  public readonly trustDomain: string;
  /** The Istio minor release the output targets, such as `1.30`. */
  public readonly istioVersion: IstioVersion;
  public readonly credentials: Credentials;
  public readonly installer: MeshInstaller;
  /** Present with `installer: sail`. */
  public readonly sail?: Sail;
  /** The istiod revisions the mesh runs on every cluster, its tags and its default revision. */
  public readonly revisions: Revisions;
  /** Zone-aware routing: the mesh-wide locality policy. */
  public readonly locality: Locality;
  /** The global load balancer over the TLS gateways serving its hostname, if any. */
  public readonly globalLoadBalancer?: GlobalLoadBalancerSpec;
  /** Where workload certificates come from (`mesh.trust`). */
  public readonly trust: Trust;
  public readonly clusters: readonly Cluster[];
  public readonly controlPlane: Cluster;
  public readonly remotes: readonly Cluster[];
  private readonly byName: ReadonlyMap<string, Cluster>;

  private constructor(spec: MeshSpec, options: MeshFromSpecOptions) {
    this.id = spec.mesh?.id ?? 'mesh1';
    this.network = spec.mesh?.network ?? DEFAULT_NETWORK;
    this.trustDomain = spec.mesh?.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    this.istioVersion = meshIstioVersion(spec.mesh, DEFAULT_ISTIO_VERSION);
    const credentials = spec.mesh?.credentials;
    this.credentials = {
      source: credentials?.source ?? 'external-secret',
      secretStore: {
        kind: credentials?.secretStore?.kind ?? 'ClusterSecretStore',
        name: credentials?.secretStore?.name ?? 'istio-remote-tokens',
      },
      refreshInterval: credentials?.refreshInterval ?? '1h',
    };
    this.installer = spec.mesh?.installer ?? 'helm';
    if (this.installer === 'sail') this.sail = sailSettings(spec, this.istioVersion);
    this.revisions = resolveRevisions(spec.mesh, this.istioVersion, this.sail);
    const eastWestGatewayServiceType = defaultEastWestGatewayServiceType(spec, this.network);
    this.clusters = spec.clusters.map((cluster) => {
      const network = cluster.network ?? this.network;
      return Object.freeze({
        name: cluster.name,
        url: cluster.url,
        isControlPlane: cluster.istio_control_plane === true,
        network,
        platform: cluster.platform ?? 'kubernetes',
        region: cluster.region,
        zone: cluster.zone,
        subzone: cluster.subzone,
        locality: localityParts(cluster).join('/') || undefined,
        localityPodLabels: Object.freeze(localityPodLabels(cluster)),
        podCidr: cluster.podCidr,
        serviceCidr: cluster.serviceCidr,
        controlPlaneAddress: cluster.controlPlaneAddress,
        controlPlaneAddressKind: cluster.istio_control_plane === true ? (cluster.controlPlaneAddressKind ?? 'eastwest-gateway') : undefined,
        eastWestGatewayServiceType: cluster.eastWestGatewayServiceType ?? eastWestGatewayServiceType,
        injectionUrl: cluster.injectionUrl,
        injectionPath: injectionPath(cluster.name, network),
        token: cluster.token,
        tokenVariable: ownValue(options.tokenVariables, cluster.name) ?? tokenVariable(cluster.name),
        caData: cluster.caData,
        context: cluster.context ?? cluster.name,
      });
    });
    this.locality = resolveLocality(spec);
    this.globalLoadBalancer = spec.mesh?.globalLoadBalancer;
    this.byName = new Map(this.clusters.map((cluster) => [cluster.name, cluster]));
    this.controlPlane = this.clusters.find((cluster) => cluster.isControlPlane)!;
    this.trust = resolveTrust(spec.mesh?.trust, this.clusters.map((cluster) => cluster.name), this.controlPlane.name, this.credentials.secretStore);
    this.remotes = this.clusters.filter((cluster) => !cluster.isControlPlane);
    Object.freeze(this);
  }

  /** The cluster of that name; throws when there is none. */
  public cluster(name: string): Cluster {
    const cluster = this.byName.get(name);
    if (!cluster) throw new Error(`Unknown cluster "${name}"; the mesh has: ${[...this.byName.keys()].join(', ')}`);
    return cluster;
  }

  /**
   * Where a cluster's field sits in the spec (`clusters[1].injectionUrl`), so that messages about
   * what the constructs made of it name the inventory field a person edits.
   */
  public clusterField(cluster: Cluster, field: string): string {
    return `clusters[${this.clusters.indexOf(cluster)}].${field}`;
  }

  /** What the remote's selector-less `istiod` Service gets its addresses from, derived from `istioVersion`. */
  public get istiodEndpointsKind(): IstiodEndpointsKind {
    return istiodEndpointsKind(this.istioVersion);
  }

  /**
   * Whether each remote needs a mesh ConfigMap naming the trust domain: istiod reads a remote's
   * trust domain there from 1.29 on and assumes `cluster.local` without one.
   */
  public get remotesNeedTrustDomain(): boolean {
    return this.trustDomain !== DEFAULT_TRUST_DOMAIN && readsRemoteMeshConfig(this.istioVersion);
  }

  /** How remotes reach istiod: through the east-west gateway, istiod's Service IP or an istiod pod IP. */
  public get controlPlaneAddressKind(): ControlPlaneAddressKind {
    return this.controlPlane.controlPlaneAddressKind!;
  }

  /** Whether remotes need a control-plane address the inventory does not give (synthesis then warns). */
  public get controlPlaneAddressMissing(): boolean {
    return this.remotes.length > 0 && this.controlPlane.controlPlaneAddress === undefined;
  }

  /** The address remotes reach istiod at, or a placeholder that fails at apply time when the inventory gives none. */
  public get istiodAddress(): string {
    return this.controlPlane.controlPlaneAddress ?? CONTROL_PLANE_ADDRESS_PLACEHOLDER;
  }

  /** The `clusters[i]` path of the control plane in the inventory, for messages. */
  public get controlPlanePath(): string {
    return `clusters[${this.clusters.indexOf(this.controlPlane)}]`;
  }

  /** Whether istiod is reached at an IP (selector-less Service + endpoints) rather than a DNS name (ExternalName). */
  public get controlPlaneAddressIsIp(): boolean {
    return this.controlPlane.controlPlaneAddress !== undefined && isIpAddress(this.controlPlane.controlPlaneAddress);
  }

  /** The namespaces the tool installs into beyond the mesh's own, which an application may not take. */
  public get toolNamespaces(): ToolNamespaces {
    return sailToolNamespaces({ installer: this.installer, subscriptionNamespace: this.sail?.subscription?.namespace, openshift: this.hasOpenShift });
  }

  /** Whether any cluster runs OpenShift, whose injected pods need the CNI plugin and OpenShift's injection settings. */
  public get hasOpenShift(): boolean {
    return this.clusters.some((cluster) => cluster.platform === 'openshift');
  }

  /**
   * The label that opts a namespace of this cluster into sidecar injection: `istio-injection` with
   * the default revision; with Sail's `RevisionBased` strategy `istio.io/rev` naming the control
   * plane's revision tag, or on a remote the revision itself (a tag cannot target a remote
   * revision, so remotes have none). Never both labels.
   */
  public injectionLabel(cluster: Cluster, selector?: string): { readonly key: string; readonly value: string } {
    const sail = this.sail;
    if (selector !== undefined) {
      // The Sail operator refuses a tag on a remote revision: remotes name the revision itself.
      const value = sail !== undefined && !cluster.isControlPlane ? this.selectRevision(selector) : selector;
      return { key: LABELS.revision, value };
    }
    if (sail?.updateStrategy !== 'RevisionBased') return { key: LABELS.injection, value: 'enabled' };
    return { key: LABELS.revision, value: cluster.isControlPlane ? sail.revisionTag! : sail.revision };
  }

  /**
   * The `istio.io/rev` an injected gateway pod of this cluster names, so that a revisioned injector
   * (Sail's `RevisionBased` strategy, or the `selector` a gateway is given) injects it; none with
   * the default revision.
   */
  public podRevision(cluster: Cluster, selector?: string): string | undefined {
    const label = this.injectionLabel(cluster, selector);
    return label.key === LABELS.revision ? label.value : undefined;
  }

  /**
   * The name of the revision a selector (a revision, a tag, or `default`) names; throws a plain
   * Error for one the mesh lacks (props are checked before with `revisionSelectorProblem`).
   */
  public selectRevision(selector: string): string {
    const revision = selectedRevision(this.revisions, selector);
    if (revision === undefined) throw new Error(`Revision selector ${revisionSelectorProblem(this.revisions, selector)}`);
    return revision.name;
  }

  /**
   * The revision of the istiod the installer runs on the control plane, which the remote objects
   * name: `default` with Helm (its values set no `revision`), the Sail operator's `IstioRevision`
   * (`default-v1-30-3` with `RevisionBased`, the default revision of `mesh.revisions`).
   */
  public get revision(): string {
    return this.sail?.revision ?? DEFAULT_REVISION;
  }

  /** The control plane's istiod Service: `istiod`, or `istiod-<revision>` for a revision other than `default`. */
  public get istiodService(): string {
    return istiodServiceName(this.revision);
  }

  /** The mesh ConfigMap the control plane's istiod reads in each remote: `istio`, or `istio-<revision>`. */
  public get meshConfigMap(): string {
    return meshConfigMapName(this.revision);
  }

  /** Whether clusters sit on more than one network. */
  public get isMultiNetwork(): boolean {
    return new Set(this.clusters.map((cluster) => cluster.network)).size > 1;
  }
}

/** Version, strategy, revision and Subscription of the `sail` installer. */
function sailSettings(spec: MeshSpec, istioVersion: IstioVersion): Sail {
  const settings = spec.mesh?.sail;
  const version = sailVersionFor(istioVersion);
  const updateStrategy = settings?.updateStrategy ?? 'InPlace';
  const subscription = settings?.subscription;
  return {
    version,
    updateStrategy,
    revision: sailRevisionName(SAIL_ISTIO_NAME, updateStrategy, version),
    revisionTag: updateStrategy === 'RevisionBased' ? settings?.revisionTag ?? 'default' : undefined,
    subscription: subscription && {
      channel: subscription.channel,
      name: subscription.name ?? SAIL_SUBSCRIPTION_DEFAULTS.name,
      source: subscription.source ?? SAIL_SUBSCRIPTION_DEFAULTS.source,
      sourceNamespace: subscription.sourceNamespace ?? SAIL_SUBSCRIPTION_DEFAULTS.sourceNamespace,
      namespace: subscription.namespace ?? SAIL_SUBSCRIPTION_DEFAULTS.namespace,
    },
  };
}

/**
 * Expands a placement map (workload or `default` -> clusters) into workload -> clusters for every
 * workload of the app. A workload no entry names runs where `default` says, or on every cluster.
 */
export function resolvePlacement(
  app: AppDefinition,
  placement: Readonly<Record<string, readonly string[]>> | undefined,
  allClusters: readonly string[],
): ReadonlyMap<string, readonly string[]> {
  const fallback = ownValue(placement, DEFAULT_PLACEMENT_KEY) ?? allClusters;
  const result = new Map<string, readonly string[]>();
  for (const workload of workloadNames(app)) {
    result.set(workload, [...new Set(ownValue(placement, workload) ?? fallback)]);
  }
  return result;
}

/** A map's own entry: a user's key such as `constructor` never reaches Object.prototype. */
function ownValue<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * The east-west gateway's Service type where the inventory names none. Other networks reach a
 * cluster only through its east-west gateway, from outside the cluster: a load balancer. On one
 * network the gateway is dialled from outside only where remotes reach istiod through it
 * (`eastwest-gateway`) at an address other than its in-cluster one; a `controlPlaneAddress` inside
 * the control plane's `serviceCidr` is the gateway's ClusterIP, routed between the clusters (as
 * Sail's single-network guide patches it), and a load balancer nobody dials would keep Argo CD
 * waiting for its address.
 */
function defaultEastWestGatewayServiceType(spec: MeshSpec, meshNetwork: string): EastWestGatewayServiceType {
  const networks = new Set(spec.clusters.map((cluster) => cluster.network ?? meshNetwork));
  if (networks.size > 1) return 'LoadBalancer';
  const controlPlane = spec.clusters.find((cluster) => cluster.istio_control_plane === true);
  if ((controlPlane?.controlPlaneAddressKind ?? 'eastwest-gateway') !== 'eastwest-gateway') return 'ClusterIP';
  const address = controlPlane?.controlPlaneAddress === undefined ? undefined : parseIp(controlPlane.controlPlaneAddress);
  const serviceRange = controlPlane?.serviceCidr === undefined ? undefined : parseCidr(controlPlane.serviceCidr);
  return address && serviceRange && rangeHolds(serviceRange, address) ? 'ClusterIP' : 'LoadBalancer';
}
