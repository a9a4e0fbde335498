import { appLocalityIssues, specPolicyContext } from '../../../lib/model/locality';
import { resolvePlacement, type AppPlacement, type Mesh } from '../../../lib/model/mesh';
import type { IssuerRefSpec, ServiceLocalitySpec } from '../../../lib/model/mesh-spec';
import { issuerRefProblems, resolveIssuerRef, type IssuerRef } from '../../../lib/model/issuer-ref';
import type { ValidationIssue } from '../../../lib/model/mesh-validation-error';
import { ISSUER_REF, SERVICE_LOCALITY, STRING_LIST } from '../../../lib/model/inventory-schema';
import { appNamespaceProblem, DNS1035_LABEL, isDnsSubdomain, isHostName } from '../../../lib/model/names';
import { balancerExposureProblem } from '../../../lib/model/global-load-balancer';
import { GATEWAY_EXPOSURE_SCHEMA, gatewayExposureIssues, resolveGatewayExposure, ROUTE_INSECURE_POLICY_SCHEMA, type GatewayExposureSpec, type RouteInsecurePolicy } from '../../../lib/model/exposure';
import { placementIssues } from '../../../lib/model/placement';
import { revisionSelectorProblem, specRevisions } from '../../../lib/model/revisions';
import { sailToolNamespaces } from '../../../lib/model/sail';
import { fields, text, type SectionContext, type SpecSection } from '../../../lib/model/spec-section';
import { BOOKINFO } from './bookinfo-app';

/** The Bookinfo demo, split across the mesh. */
export interface BookinfoSpec {
  /**
   * The namespace Bookinfo runs in, in every cluster that runs part of it.
   * @default bookinfo
   */
  readonly namespace?: string;
  /** The external host name served by the TLS ingress gateways. */
  readonly host: string;
  /**
   * Workload (`productpage-v1`, `reviews-v3`, ...) or `default` -> the clusters that run it.
   * @default - every workload on every cluster
   */
  readonly placement?: Readonly<Record<string, readonly string[]>>;
  /**
   * The routing preset: `all-v1`, `v3` or `jason-v2-v3`.
   * @default all-v1
   */
  readonly routing?: BookinfoRouting;
  /**
   * The dedicated TLS ingress gateway of each cluster.
   * @default - `bookinfo-ingressgateway` with a cert-manager certificate from a self-signed issuer
   */
  readonly gateway?: GatewaySpec;
  /**
   * Keep Bookinfo inside each cluster: `true` for the whole namespace, or a list of its services.
   * @default false
   */
  readonly clusterLocal?: boolean | readonly string[];
  /**
   * Service (`reviews`, ...) -> its locality policy, overriding the mesh's.
   * @default - the mesh's policy for every service
   */
  readonly locality?: Readonly<Record<string, ServiceLocalitySpec>>;
  /**
   * The revision Bookinfo runs on (its namespace, pods and TLS gateways): a name of
   * `mesh.revisions`, a tag of `mesh.revisionTags`, or `default`.
   * @default - the mesh's default injection (`istio-injection: enabled`)
   */
  readonly revision?: string;
}

/** The Bookinfo routing presets, as in the upstream networking samples. */
export type BookinfoRouting = 'all-v1' | 'v3' | 'jason-v2-v3';

/** A dedicated ingress gateway's settings. */
export interface GatewaySpec {
  /**
   * The gateway name: Deployment, Service, ServiceAccount and the `istio:` selector label.
   * @default bookinfo-ingressgateway
   */
  readonly name?: string;
  /**
   * The cert-manager issuer of the TLS certificate.
   * @default { kind: Issuer, name: selfsigned } (a self-signed Issuer is emitted)
   */
  readonly issuer?: IssuerRefSpec;
  /**
   * A user-provided `kubernetes.io/tls` Secret to use instead of a cert-manager Certificate.
   * @default - a cert-manager Certificate per cluster
   */
  readonly credentialSecret?: string;
  /**
   * How each cluster's gateway is reached: `loadbalancer`, `route` (an OpenShift passthrough Route
   * to the Service's `https` port; the Service becomes ClusterIP) or `both`; one value, or cluster
   * name -> value (clusters not named: `loadbalancer`). `route` and `both` need OpenShift clusters.
   * @default loadbalancer
   */
  readonly exposure?: GatewayExposureSpec;
  /**
   * The Routes' `tls.insecureEdgeTerminationPolicy`, `None` or `Redirect`; only with a Route exposure.
   * @default None
   */
  readonly insecureEdgeTerminationPolicy?: RouteInsecurePolicy;
}

export type { IssuerRefSpec };

/** The JSON Schema of an inventory's `bookinfo:` section (its shape only). */
const BOOKINFO_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['host'],
  properties: {
    namespace: { type: 'string' },
    host: { type: 'string', minLength: 1 },
    placement: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
    routing: { enum: ['all-v1', 'v3', 'jason-v2-v3'] },
    gateway: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        issuer: ISSUER_REF,
        credentialSecret: { type: 'string' },
        exposure: GATEWAY_EXPOSURE_SCHEMA,
        insecureEdgeTerminationPolicy: ROUTE_INSECURE_POLICY_SCHEMA,
      },
    },
    clusterLocal: { anyOf: [{ type: 'boolean' }, STRING_LIST] },
    locality: { type: 'object', additionalProperties: SERVICE_LOCALITY },
    revision: { type: 'string' },
  },
} as const;

/** The Bookinfo section's rules on values: names, host, gateway, placement and locality overrides. */
function bookinfoIssues(bookinfo: Readonly<Record<string, unknown>>, context: SectionContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const serviceNames = BOOKINFO.services.map((service) => service.name);
  if (context.localityShaped) issues.push(...appLocalityIssues(bookinfo as unknown as BookinfoSpec, 'bookinfo', serviceNames, specPolicyContext(context.spec)));
  const namespace = text(bookinfo.namespace);
  if (namespace !== undefined) {
    const mesh = fields(context.spec.mesh);
    const clusters: unknown[] = Array.isArray(context.spec.clusters) ? context.spec.clusters : [];
    const tool = sailToolNamespaces({
      installer: mesh?.installer,
      subscriptionNamespace: text(fields(fields(mesh?.sail)?.subscription)?.namespace),
      openshift: clusters.some((cluster) => fields(cluster)?.platform === 'openshift'),
    });
    const problem = appNamespaceProblem(namespace, tool);
    if (problem) add('bookinfo.namespace', problem);
  }
  const host = text(bookinfo.host);
  if (host !== undefined && host !== '' && !isHostName(host)) {
    add('bookinfo.host', `"${host}" is not a DNS name (lowercase letters, digits, '-' and '.', optionally after "*.")`);
  }
  const gateway = fields(bookinfo.gateway);
  const gatewayName = text(gateway?.name);
  if (gatewayName !== undefined && !DNS1035_LABEL.test(gatewayName)) {
    add('bookinfo.gateway.name', `"${gatewayName}" is not a DNS-1035 label (at most 63 lowercase letters, digits and '-', starting with a letter): it names the gateway's Service`);
  }
  if (gateway?.issuer !== undefined && gateway.credentialSecret !== undefined) {
    add('bookinfo.gateway.credentialSecret', 'is given with an issuer; give one or the other (a Secret you provide needs no cert-manager issuer)');
  }
  const issuer = fields(gateway?.issuer);
  // The shape check names a missing name or a wrong kind.
  if (typeof issuer?.name === 'string') {
    for (const { field, problem } of issuerRefProblems(issuer)) if (field === 'name') add('bookinfo.gateway.issuer.name', problem);
  }
  const credentialSecret = text(gateway?.credentialSecret);
  if (credentialSecret !== undefined && !isDnsSubdomain(credentialSecret)) {
    add('bookinfo.gateway.credentialSecret', `"${credentialSecret}" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')`);
  }
  if (host !== undefined && isHostName(host)) {
    const clusters = (Array.isArray(context.spec.clusters) ? context.spec.clusters : []).flatMap((cluster) => {
      const name = text(fields(cluster)?.name);
      return name === undefined ? [] : [{ name, platform: text(fields(cluster)?.platform) }];
    });
    const exposure = { exposure: gateway?.exposure, insecureEdgeTerminationPolicy: gateway?.insecureEdgeTerminationPolicy, hosts: [host], clusters };
    for (const issue of gatewayExposureIssues(exposure)) add(`bookinfo.gateway.${issue.path}`, issue.message);
    const balancer = fields(fields(context.spec.mesh)?.globalLoadBalancer);
    const hostname = text(balancer?.hostname);
    const exposed = resolveGatewayExposure(gateway?.exposure as GatewayExposureSpec | undefined, clusters.map((cluster) => cluster.name));
    const problem = balancerExposureProblem(balancer?.provider, [...exposed].find(([, value]) => value === 'route')?.[0]);
    if (problem) add('bookinfo.gateway.exposure', problem);
    if (hostname !== undefined && hostname !== host) {
      add('mesh.globalLoadBalancer.hostname', `${JSON.stringify(hostname)} is not bookinfo.host ${JSON.stringify(host)}: the Bookinfo gateways, the only TLS gateways of an inventory, would not serve it`);
    }
  }
  issues.push(...placementIssues(BOOKINFO, fields(bookinfo.placement) ?? {}, context.clusterNames, 'bookinfo.placement'));
  const revision = text(bookinfo.revision);
  const revisions = specRevisions(fields(context.spec.mesh));
  if (revision !== undefined && revisions !== undefined) {
    const problem = revisionSelectorProblem(revisions, revision);
    if (problem) add('bookinfo.revision', problem);
  }
  return issues;
}

/** An inventory's `bookinfo:` section: its shape and rules, checked with the rest of the inventory. */
export const BOOKINFO_SECTION: SpecSection = { key: 'bookinfo', schema: BOOKINFO_SCHEMA, validate: bookinfoIssues };

/** The Bookinfo demo with defaults applied. */
export interface Bookinfo extends AppPlacement {
  readonly host: string;
  readonly routing: BookinfoRouting;
  readonly gateway: {
    readonly name: string;
    /** The cert-manager issuer; when neither it nor a credential Secret is given, the gateway emits a self-signed one. */
    readonly issuer?: IssuerRef;
    readonly credentialSecret?: string;
    readonly exposure?: GatewayExposureSpec;
    readonly insecureEdgeTerminationPolicy?: RouteInsecurePolicy;
  };
  /** `true` for the whole namespace, or the services kept inside each cluster. */
  readonly clusterLocal: boolean | readonly string[];
  /** Service -> its locality policy, overriding the mesh's. */
  readonly locality: ReadonlyMap<string, ServiceLocalitySpec>;
  /** The revision (or tag) it runs on; undefined for the mesh's default injection. */
  readonly revision?: string;
}

/** A validated `bookinfo:` section with its defaults applied, placed on the mesh's clusters. */
export function resolveBookinfo(spec: BookinfoSpec, mesh: Mesh): Bookinfo {
  const gateway = spec.gateway;
  return {
    app: BOOKINFO,
    namespace: spec.namespace ?? 'bookinfo',
    host: spec.host,
    routing: spec.routing ?? 'all-v1',
    placement: resolvePlacement(BOOKINFO, spec.placement, mesh.clusters.map((c) => c.name)),
    gateway: {
      name: gateway?.name ?? 'bookinfo-ingressgateway',
      issuer: gateway?.issuer && resolveIssuerRef(gateway.issuer),
      credentialSecret: gateway?.credentialSecret,
      exposure: gateway?.exposure,
      insecureEdgeTerminationPolicy: gateway?.insecureEdgeTerminationPolicy,
    },
    clusterLocal: spec.clusterLocal ?? false,
    locality: new Map(Object.entries(spec.locality ?? {})),
    revision: spec.revision,
  };
}
