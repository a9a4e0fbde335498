import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { checkIssuerRef, checkProp, InvalidPropsError } from '../lib/errors';
import { GatewaySpecServersTlsMode, type VirtualServiceSpecHttp } from '../lib/imports/networking.istio.io';
import { ISTIO_KINDS } from '../lib/istio/istio-api';
import {
  DEFAULT_SELF_SIGNED_ISSUER,
  CERT_MANAGER_API_VERSION,
  defaultGatewayName,
  GATEWAY_HTTPS_PORT_NAME,
  GATEWAY_PORTS,
  gatewayCredentialName,
  DNS1035_LABEL,
  isHostName,
  LABELS,
  requireDnsLabel,
  gatewayRouteName,
} from '../lib/model/names';
import { DEFAULT_GATEWAY_EXPOSURE, exposedByLoadBalancer, exposedByRoute, gatewayExposureIssues, resolveGatewayExposure, type GatewayExposure, type GatewayExposureSpec, type RouteInsecurePolicy } from '../lib/model/exposure';
import { balancerExposureProblem, externalDnsAnnotations, globalLoadBalancerIssues, k8gbStrategy, type GlobalLoadBalancerSpec } from '../lib/model/global-load-balancer';
import { issuerRefField, issuerRefText, resolveIssuerRef } from '../lib/model/issuer-ref';
import type { IssuerRefSpec } from '../lib/model/mesh-spec';
import { dnsSubdomainProblem, portNumberProblem, shown } from '../lib/model/kubernetes-rules';
import { checkContainerOptions, GatewayWorkload, type GatewayContainerOptions } from './gateway-workload';
import { MeshConstruct } from './mesh-construct';
import { K8gbGslb } from './k8gb-gslb';
import { PassthroughRoute } from './passthrough-route';
import { requireNamespaceIn } from './mtls-namespace';
import { JsonApiObject } from './json-api-object';
import { kubeObject } from './kube-object';

/**
 * A cert-manager issuer (`Issuer` in the gateway's namespace, or `ClusterIssuer`).
 * @deprecated use `IssuerRefSpec`, the one issuer reference of the library (also `mesh.trust.issuer`'s)
 */
export type CertificateIssuerRef = IssuerRefSpec;

/** A request path matched exactly or by prefix. */
export type UriMatch = { readonly exact: string; readonly prefix?: never } | { readonly prefix: string; readonly exact?: never };

/** One HTTP route of the gateway's VirtualService. */
export interface TlsGatewayRoute {
  /** The request paths routed; a route with none takes every request that reaches it. */
  readonly matches: readonly UriMatch[];
  /** The service (host as Istio resolves it from the gateway's namespace) and port they go to. */
  readonly destination: { readonly host: string; readonly port: number };
}

/** Props of `TlsGateway`; the container options apply to the gateway of every cluster. */
export interface TlsGatewayProps extends GatewayContainerOptions {
  /** The namespace of the gateway workload, of its TLS Secret, and of the Gateway and VirtualService. */
  readonly namespace: string;
  /**
   * The gateway's name: Deployment, Service, ServiceAccount, Role, RoleBinding, the `istio:` and
   * `app:` pod labels, the Gateway and the VirtualService.
   * @default - `<namespace>-ingressgateway`
   */
  readonly name?: string;
  /** The external host names served (the Gateway's and VirtualService's hosts, the certificate's DNS names). */
  readonly hosts: readonly string[];
  /**
   * The revision the gateway runs on: a name of `mesh.revisions`, a tag of `mesh.revisionTags`, or
   * `default` (the default revision). Its pods are labelled `istio.io/rev` with it (a remote's, under Sail, the
   * revision itself).
   * @default - the mesh's default injection (Sail's revision label under RevisionBased, else none)
   */
  readonly revision?: string;

  /**
   * The clusters that run a gateway.
   * @default - every cluster of the mesh
   */
  readonly clusters?: readonly string[];
  /**
   * The cert-manager issuer of each cluster's certificate.
   * @default - a self-signed `Issuer` named `selfsigned`, emitted in the namespace of each cluster
   */
  readonly issuer?: IssuerRefSpec;
  /**
   * A user-provided `kubernetes.io/tls` Secret, present in the namespace of every gateway
   * cluster; no Certificate (and no issuer) is then emitted.
   * @default - a cert-manager Certificate per cluster writes the Secret `<name>-tls`
   */
  readonly credentialSecret?: string;
  /**
   * The HTTP routes of the gateway's VirtualService.
   * @default - no VirtualService: bind your own to `gatewayRef`
   */
  readonly routes?: readonly TlsGatewayRoute[];
  /**
   * How each cluster's gateway is reached from outside: `loadbalancer` (its LoadBalancer Service),
   * `route` (an OpenShift Route passing TLS through to the Service's `https` port, one per host; the
   * Service is then ClusterIP) or `both`; one value for every gateway cluster, or cluster name ->
   * value (clusters not named: `loadbalancer`). `route` and `both` need OpenShift clusters and hosts
   * without wildcards.
   * @default loadbalancer
   */
  readonly exposure?: GatewayExposureSpec;
  /**
   * The Routes' `tls.insecureEdgeTerminationPolicy`: `None` refuses plain HTTP, `Redirect` sends it to
   * HTTPS (`Allow` is impossible with passthrough); only with a Route exposure.
   * @default None
   */
  readonly insecureEdgeTerminationPolicy?: RouteInsecurePolicy;
  /**
   * A global load balancer over this gateway's clusters: external-dns annotations on each cluster's
   * Service (or, where a Route exposes it, on the Route of `hostname`), or a k8gb `Gslb` per cluster.
   * `hostname` must be one of `hosts`.
   * @default - the mesh's `globalLoadBalancer` when `hosts` include its hostname; else none
   */
  readonly globalLoadBalancer?: GlobalLoadBalancerSpec;
}

/**
 * A dedicated TLS ingress gateway in an app's namespace, as in the OpenShift seed: in every
 * cluster a gateway Deployment (proxy injected with the `gateway` template), its LoadBalancer
 * Service, ServiceAccount, a Role to read Secrets, and the TLS credential (a cert-manager
 * Certificate, or a Secret the user provides). On the control plane, where istiod reads its
 * configuration, the Gateway (TLS SIMPLE through `credentialName`) and the VirtualService.
 *
 * The credential lives in the gateway workload's namespace of each cluster, because istiod
 * resolves `credentialName` in the namespace of the proxy it serves.
 */
export class TlsGateway extends MeshConstruct {
  /** The gateway's name (workload, Service, Gateway and VirtualService). */
  public readonly name: string;
  public readonly namespace: string;
  public readonly hosts: readonly string[];
  /** The clusters running the gateway, in mesh order. */
  public readonly clusters: readonly string[];
  /** The Istio Gateway resource's name. */
  public readonly gatewayName: string;
  /** `<namespace>/<gateway>`: how a VirtualService of any namespace binds to the Gateway. */
  public readonly gatewayRef: string;
  /** The `kubernetes.io/tls` Secret the Gateway's `credentialName` names, in each gateway cluster. */
  public readonly credentialName: string;
  /** The pod labels the Gateway selects. */
  public readonly selector: Readonly<Record<string, string>>;

  /** The gateway's Deployment in each cluster running it, by cluster name (escape hatches start here). */
  public readonly deployments: ReadonlyMap<string, ApiObject>;
  /** How each gateway cluster exposes the gateway, by cluster name. */
  public readonly exposure: ReadonlyMap<string, GatewayExposure>;
  /** The global load balancer over the gateway's clusters, if any. */
  public readonly globalLoadBalancer?: GlobalLoadBalancerSpec;

  constructor(scope: Construct, id: string, props: TlsGatewayProps) {
    super(scope, id);
    const model = this.mesh.model;
    this.namespace = checkProp(this, 'namespace', () => requireDnsLabel(props.namespace, 'TlsGateway namespace'));
    this.name = props.name ?? defaultGatewayName(this.namespace);
    // It names the gateway's Service, which must be a DNS-1035 label (a letter first), as the inventory's gateway.name.
    if (typeof this.name !== 'string' || !DNS1035_LABEL.test(this.name)) {
      const expected = "is not a DNS-1035 label (at most 63 lowercase letters, digits and '-', starting with a letter): it names the gateway's Service";
      if (props.name === undefined) throw new InvalidPropsError(this, 'namespace', `TlsGateway namespace ${shown(this.namespace)} gives the default name ${shown(this.name)}, which ${expected}; give a name`);
      throw new InvalidPropsError(this, 'name', `TlsGateway name ${shown(this.name)} ${expected}`);
    }
    this.hosts = checkHosts(this, props.hosts);
    this.clusters = this.selectClusters(props.clusters);
    if (this.clusters.length === 0) throw new InvalidPropsError(this, 'clusters', 'TlsGateway clusters is empty; list at least one cluster, or leave it out for every cluster');
    if (props.credentialSecret !== undefined && props.issuer !== undefined) {
      throw new InvalidPropsError(this, 'credentialSecret', `TlsGateway takes credentialSecret "${props.credentialSecret}" or issuer ${issuerRefText(props.issuer)}, not both: a user-provided Secret needs no cert-manager issuer`);
    }
    if (props.credentialSecret !== undefined && dnsSubdomainProblem(props.credentialSecret)) {
      throw new InvalidPropsError(this, 'credentialSecret', `TlsGateway credentialSecret ${shown(props.credentialSecret)} is not a Secret name (a DNS-1123 subdomain)`);
    }
    if (props.issuer !== undefined) checkIssuerRef(this, 'issuer', 'TlsGateway issuer', props.issuer);
    (props.routes ?? []).forEach((route, index) => checkPort(this, index, route.destination.port));
    checkContainerOptions(this, 'TlsGateway', props);
    const [exposureIssue] = gatewayExposureIssues({
      exposure: props.exposure,
      insecureEdgeTerminationPolicy: props.insecureEdgeTerminationPolicy,
      hosts: this.hosts,
      clusters: this.clusters.map((name) => model.cluster(name)),
    });
    if (exposureIssue) throw new InvalidPropsError(this, exposureIssue.path, `TlsGateway ${exposureIssue.path} ${exposureIssue.message}`);
    this.exposure = resolveGatewayExposure(props.exposure, this.clusters);
    this.globalLoadBalancer = this.checkGlobalLoadBalancer(props.globalLoadBalancer);
    const revision = this.checkRevision('TlsGateway', props.revision);
    this.gatewayName = this.name;
    this.gatewayRef = `${this.namespace}/${this.gatewayName}`;
    this.credentialName = props.credentialSecret ?? gatewayCredentialName(this.name);
    this.selector = { [LABELS.gatewaySelector]: this.name };

    const deployments = new Map<string, ApiObject>();
    for (const cluster of this.clusters) {
      const clusterScope = this.partIn(cluster);
      const workload = new GatewayWorkload(clusterScope, 'workload', {
        namespace: this.namespace,
        name: this.name,
        selector: this.selector,
        revision: this.mesh.model.podRevision(this.mesh.model.cluster(cluster), revision),
        ports: [{ name: GATEWAY_HTTPS_PORT_NAME, port: GATEWAY_PORTS.https }],
        podLabels: model.cluster(cluster).localityPodLabels,
        containerSecurityContext: props.containerSecurityContext,
        resources: props.resources,
        serviceType: exposedByLoadBalancer(this.exposureIn(cluster)) ? 'LoadBalancer' : 'ClusterIP',
        serviceAnnotations: this.externalDnsOn('service', cluster),
      });
      deployments.set(cluster, workload.deployment);
      if (exposedByRoute(this.exposureIn(cluster))) this.renderRoutes(clusterScope, cluster, props.insecureEdgeTerminationPolicy);
      if (this.globalLoadBalancer?.provider === 'k8gb') {
        const balanced = this.clusters.map((name) => model.cluster(name));
        new K8gbGslb(clusterScope, 'gslb', { namespace: this.namespace, name: this.name, hostname: this.globalLoadBalancer.hostname, service: this.name, strategy: k8gbStrategy(this.globalLoadBalancer, balanced) });
      }
      if (props.credentialSecret === undefined) this.renderCertificate(clusterScope, props.issuer);
    }
    this.deployments = deployments;
    this.renderIstioConfig(this.controlPlanePart, props.routes);
    requireNamespaceIn(this, this.mesh, this.namespace, [...new Set([...this.clusters, model.controlPlane.name])]);
  }

  private exposureIn(cluster: string): GatewayExposure {
    return this.exposure.get(cluster) ?? DEFAULT_GATEWAY_EXPOSURE;
  }

  /** One passthrough Route per host, to the Service's `https` port, in a cluster exposing the gateway by Route. */
  private renderRoutes(scope: Construct, cluster: string, insecureEdgeTerminationPolicy: RouteInsecurePolicy | undefined): void {
    this.hosts.forEach((host, index) => {
      new PassthroughRoute(scope, `route-${index}`, {
        namespace: this.namespace,
        name: gatewayRouteName(this.name, index, this.hosts.length),
        host,
        service: this.name,
        targetPort: GATEWAY_HTTPS_PORT_NAME,
        insecureEdgeTerminationPolicy,
        annotations: host === this.globalLoadBalancer?.hostname ? this.externalDnsOn('route', cluster) : undefined,
      });
    });
  }

  /**
   * The global load balancer given, else the mesh's when this gateway serves its hostname; checked
   * over the gateway's clusters and exposure.
   */
  private checkGlobalLoadBalancer(given: GlobalLoadBalancerSpec | undefined): GlobalLoadBalancerSpec | undefined {
    const meshWide = this.mesh.model.globalLoadBalancer;
    const balancer = given ?? (meshWide && this.hosts.includes(meshWide.hostname) ? meshWide : undefined);
    if (balancer === undefined) return undefined;
    const prop = given === undefined ? 'mesh.globalLoadBalancer' : 'globalLoadBalancer';
    const [issue] = globalLoadBalancerIssues(balancer as unknown as Record<string, unknown>, this.clusters.map((name) => this.mesh.model.cluster(name)));
    if (issue) throw new InvalidPropsError(this, `${prop}.${issue.path}`, `TlsGateway ${prop}.${issue.path} ${issue.message}`);
    if (!this.hosts.includes(balancer.hostname)) {
      throw new InvalidPropsError(this, `${prop}.hostname`, `TlsGateway ${prop}.hostname ${shown(balancer.hostname)} is none of the gateway's hosts (${this.hosts.join(', ')}): the Gateway and its certificate would not serve it`);
    }
    const problem = balancerExposureProblem(balancer.provider, this.clusters.find((cluster) => !exposedByLoadBalancer(this.exposureIn(cluster))));
    if (problem) throw new InvalidPropsError(this, 'exposure', `TlsGateway exposure ${problem}`);
    return balancer;
  }

  /** The external-dns annotations of a cluster's Service, or of its Route where one exposes the gateway. */
  private externalDnsOn(target: 'service' | 'route', cluster: string): Record<string, string> | undefined {
    const balancer = this.globalLoadBalancer;
    if (balancer?.provider !== 'external-dns') return undefined;
    const onRoute = exposedByRoute(this.exposureIn(cluster));
    if ((target === 'route') !== onRoute) return undefined;
    return externalDnsAnnotations(balancer, cluster, !onRoute);
  }

  private renderCertificate(scope: Construct, issuer: IssuerRefSpec | undefined): void {
    if (issuer === undefined) {
      new JsonApiObject(scope, 'issuer', {
        apiVersion: CERT_MANAGER_API_VERSION,
        kind: 'Issuer',
        metadata: { name: DEFAULT_SELF_SIGNED_ISSUER, namespace: this.namespace },
        spec: { selfSigned: {} },
      });
    }
    const issuerRef = resolveIssuerRef(issuer ?? { kind: 'Issuer', name: DEFAULT_SELF_SIGNED_ISSUER });
    new JsonApiObject(scope, 'certificate', {
      apiVersion: CERT_MANAGER_API_VERSION,
      kind: 'Certificate',
      metadata: { name: this.credentialName, namespace: this.namespace },
      spec: {
        secretName: this.credentialName,
        dnsNames: [...this.hosts],
        issuerRef: issuerRefField(issuerRef),
      },
    });
  }

  private renderIstioConfig(scope: Construct, routes: readonly TlsGatewayRoute[] | undefined): void {
    const metadata = { name: this.gatewayName, namespace: this.namespace };
    kubeObject(ISTIO_KINDS.gateway, scope, 'gateway', {
      metadata,
      spec: {
        selector: { ...this.selector },
        servers: [
          {
            port: { number: GATEWAY_PORTS.https, name: GATEWAY_HTTPS_PORT_NAME, protocol: 'HTTPS' },
            hosts: [...this.hosts],
            tls: { mode: GatewaySpecServersTlsMode.SIMPLE, credentialName: this.credentialName },
          },
        ],
      },
    });
    if (routes === undefined) return;
    kubeObject(ISTIO_KINDS.virtualService, scope, 'virtual-service', {
      metadata,
      // The namespaced gateway reference stays right if the VirtualService is ever moved (Kiali KIA1108).
      spec: { hosts: [...this.hosts], gateways: [this.gatewayRef], http: routes.map(toHttpRoute) },
    });
  }
}

function toHttpRoute(route: TlsGatewayRoute): VirtualServiceSpecHttp {
  return {
    match: route.matches.length > 0 ? route.matches.map((uri) => ({ uri })) : undefined,
    route: [{ destination: { host: route.destination.host, port: { number: route.destination.port } } }],
  };
}

function checkHosts(owner: Construct, hosts: readonly string[]): readonly string[] {
  if (hosts.length === 0) throw new InvalidPropsError(owner, 'hosts', 'TlsGateway hosts is empty; list the external host names the gateway serves');
  const invalid = hosts.findIndex((host) => typeof host !== 'string' || !isHostName(host));
  if (invalid !== -1) throw new InvalidPropsError(owner, `hosts[${invalid}]`, `TlsGateway host ${shown(hosts[invalid])} is not a DNS name (optionally starting with "*.")`);
  return hosts;
}

function checkPort(owner: Construct, route: number, port: number): void {
  const problem = portNumberProblem(port);
  if (problem) throw new InvalidPropsError(owner, `routes[${route}].destination.port`, `TlsGateway route destination port ${problem}`);
}
