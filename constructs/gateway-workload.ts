import type { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../lib/errors';
import { containerResourceNameProblem, quantityProblem } from '../lib/model/kubernetes-rules';
import { ANNOTATIONS, APP_ANNOTATIONS, APP_LABELS, GATEWAY_PORTS, ISTIOD_PORTS, LABELS } from '../lib/model/names';
import { kubeObject } from './kube-object';

/** A port of a gateway's Service, forwarded to the same port of the proxy. */
export interface GatewayServicePort {
  /** The port name (`<protocol>[-suffix]`, as Istio reads protocols from it). */
  readonly name: string;
  /** The port number, on the Service and the proxy. */
  readonly port: number;
}

/** The proxy container's settings that upstream's `gateway` chart makes configurable. */
export interface GatewayContainerOptions {
  /**
   * The `istio-proxy` container's securityContext (the chart's `containerSecurityContext`).
   * @default - the chart's: all capabilities dropped, no privilege escalation, not privileged,
   * read-only root filesystem, non-root; plus the RuntimeDefault seccomp profile Pod Security
   * "restricted" asks for
   */
  readonly containerSecurityContext?: k8s.SecurityContext;
  /**
   * The `istio-proxy` container's requests and limits (the chart's `resources`).
   * @default - the chart's: requests 100m CPU and 128Mi, limits 2000m CPU and 1024Mi
   */
  readonly resources?: k8s.ResourceRequirements;
}

/**
 * Throws an InvalidPropsError for the first resource request or limit of the options that the API
 * server would refuse (a resource name that is no qualified name, a value that is no quantity).
 */
export function checkContainerOptions(owner: Construct, construct: string, options: GatewayContainerOptions): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const [resource, quantity] of Object.entries(options.resources?.[kind] ?? {})) {
      // A k8s.Quantity carries what it was made from in `value`.
      const problem = containerResourceNameProblem(resource) ?? quantityProblem((quantity as k8s.Quantity | undefined)?.value);
      if (problem) throw new InvalidPropsError(owner, `resources.${kind}.${resource}`, `${construct} resources.${kind}.${resource}: ${problem}`);
    }
  }
}

/** Props of `GatewayWorkload`. */
export interface GatewayWorkloadProps extends GatewayContainerOptions {
  /** The namespace the gateway runs in. */
  readonly namespace: string;
  /** Deployment, Service, ServiceAccount, Role and RoleBinding name. */
  readonly name: string;
  /** The pod labels Gateways select the proxy by (`istio: <x>`); also the Service selector. */
  readonly selector: Readonly<Record<string, string>>;
  /** The Service ports besides the status port. */
  readonly ports: readonly GatewayServicePort[];
  /**
   * Labels of the pods and the Service besides the selector (e.g. `topology.istio.io/network`).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The `istio.io/rev` of the pods, for a revisioned injector (Sail's `RevisionBased` strategy).
   * @default - none: the default revision injects them
   */
  readonly revision?: string;
  /**
   * Labels of the pods only (e.g. the locality override, which Istio reads from pods).
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Environment of the proxy container.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The Service's type: `ClusterIP` for a gateway reached only at its in-cluster address.
   * @default LoadBalancer
   */
  readonly serviceType?: 'LoadBalancer' | 'ClusterIP';
  /**
   * Annotations of the Service (a global load balancer's, for one).
   * @default - none
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
}

const GATEWAY_PROXY_CONTAINER = 'istio-proxy';
/** Lets the injector replace the image with the proxy of the installed Istio version. */
const INJECTED_IMAGE = 'auto';
const GATEWAY_INJECTION_TEMPLATE = 'gateway';
/** Lets the unprivileged proxy bind ports below 1024 itself, as Istio's gateway Helm chart does. */
const UNPRIVILEGED_PORTS_SYSCTL = { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' };
/** What upstream's `gateway` chart (`templates/deployment.yaml`) sets when `containerSecurityContext` is empty. */
export const DEFAULT_GATEWAY_CONTAINER_SECURITY_CONTEXT: k8s.SecurityContext = {
  capabilities: { drop: ['ALL'] },
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};
/** The `gateway` chart's default `resources`. */
export const DEFAULT_GATEWAY_RESOURCES: k8s.ResourceRequirements = {
  requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
  limits: { cpu: k8s.Quantity.fromString('2000m'), memory: k8s.Quantity.fromString('1024Mi') },
};
/** istiod serves a gateway credentials only after checking its account may list Secrets in its namespace. */
const SECRET_READER_RULES = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }];

/**
 * An injection-based Istio gateway in one cluster, as Istio's `gateway` Helm chart renders it:
 * a Deployment whose `istio-proxy` container (`image: auto`) the injector fills in with the
 * `gateway` template, its Service (LoadBalancer unless told otherwise) with the status port, a ServiceAccount and a Role
 * to read Secrets. Ingress and east-west gateways differ only in their props.
 */
export class GatewayWorkload extends Construct {
  /** The gateway's Deployment (escape hatch: its JSON patches apply to the JSON written). */
  public readonly deployment: ApiObject;
  /** The gateway's Service (escape hatch: its JSON patches apply to the JSON written). */
  public readonly service: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayWorkloadProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace };
    const labels = { [LABELS.app]: props.name, ...props.selector, ...props.labels };
    const podSelector = { [LABELS.app]: props.name, ...props.selector };
    kubeObject(k8s.KubeServiceAccount, this, 'service-account', { metadata });
    kubeObject(k8s.KubeRole, this, 'role', { metadata, rules: SECRET_READER_RULES });
    kubeObject(k8s.KubeRoleBinding, this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.name },
      subjects: [{ kind: 'ServiceAccount', name: props.name, namespace: props.namespace }],
    });
    const env = Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value }));
    this.deployment = kubeObject(k8s.KubeDeployment, this, 'deployment', {
      metadata: { ...metadata, labels },
      spec: {
        selector: { matchLabels: podSelector },
        template: {
          metadata: {
            labels: {
              ...labels,
              ...props.podLabels,
              [LABELS.sidecarInject]: 'true',
              [APP_LABELS.dataplaneMode]: 'none',
              ...(props.revision === undefined ? {} : { [LABELS.revision]: props.revision }),
            },
            annotations: {
              [ANNOTATIONS.injectTemplates]: GATEWAY_INJECTION_TEMPLATE,
              [APP_ANNOTATIONS.prometheusScrape]: 'true',
              [APP_ANNOTATIONS.prometheusPort]: String(GATEWAY_PORTS.mergedPrometheus),
              [APP_ANNOTATIONS.prometheusPath]: '/stats/prometheus',
            },
          },
          spec: {
            serviceAccountName: props.name,
            securityContext: { sysctls: [UNPRIVILEGED_PORTS_SYSCTL] },
            containers: [
              {
                name: GATEWAY_PROXY_CONTAINER,
                image: INJECTED_IMAGE,
                securityContext: props.containerSecurityContext ?? DEFAULT_GATEWAY_CONTAINER_SECURITY_CONTEXT,
                resources: props.resources ?? DEFAULT_GATEWAY_RESOURCES,
                env: env.length > 0 ? env : undefined,
                ports: [{ containerPort: GATEWAY_PORTS.envoyPrometheus, protocol: 'TCP', name: 'http-envoy-prom' }],
              },
            ],
          },
        },
      },
    });
    this.service = kubeObject(k8s.KubeService, this, 'service', {
      metadata: { ...metadata, labels, annotations: props.serviceAnnotations },
      spec: {
        type: props.serviceType ?? 'LoadBalancer',
        selector: podSelector,
        ports: [
          // Named as Istio's charts name it; appProtocol says what the name does not: readiness over HTTP (IST0118).
          { name: 'status-port', appProtocol: 'http', port: ISTIOD_PORTS.gatewayStatus, targetPort: k8s.IntOrString.fromNumber(ISTIOD_PORTS.gatewayStatus), protocol: 'TCP' },
          ...props.ports.map(({ name, port }) => ({ name, port, targetPort: k8s.IntOrString.fromNumber(port), protocol: 'TCP' })),
        ],
      },
    });
  }
}
