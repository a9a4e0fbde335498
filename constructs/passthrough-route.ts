import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../lib/errors';
import { DEFAULT_ROUTE_INSECURE_POLICY, ROUTE_INSECURE_POLICIES, routeHostProblem, type RouteInsecurePolicy } from '../lib/model/exposure';
import { shown } from '../lib/model/kubernetes-rules';
import { LABELS, OPENSHIFT_ROUTE_API_VERSION } from '../lib/model/names';
import { JsonApiObject } from './json-api-object';

/** Props of `PassthroughRoute`. */
export interface PassthroughRouteProps {
  /** The namespace of the Route and of the Service it sends to. */
  readonly namespace: string;
  /** The Route's name. */
  readonly name: string;
  /** The host the router admits (`spec.host`): the Istio Gateway server's host; no wildcard, no `_`. */
  readonly host: string;
  /** The gateway Service the router passes connections to. */
  readonly service: string;
  /** The Service port's name the router sends to (`spec.port.targetPort`). */
  readonly targetPort: string;
  /**
   * What the router does with plain HTTP for the host: `None` refuses it, `Redirect` sends it to HTTPS.
   * @default None
   */
  readonly insecureEdgeTerminationPolicy?: RouteInsecurePolicy;
  /**
   * Annotations of the Route (a global load balancer's, for one).
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * An OpenShift `route.openshift.io/v1` Route in one cluster that passes TLS through
 * (`tls.termination: passthrough`) to a gateway Service's port: the router picks the Route by the
 * client's SNI and never decrypts, so the Istio gateway behind it terminates TLS with its own
 * credential. Routes carry only DNS-1123 hosts, so east-west gateways (whose SNI has `_`) cannot
 * sit behind one.
 */
export class PassthroughRoute extends Construct {
  /** The Route (escape hatch: its JSON patches apply to the JSON written). */
  public readonly route: ApiObject;

  constructor(scope: Construct, id: string, props: PassthroughRouteProps) {
    super(scope, id);
    const hostProblem = routeHostProblem(props.host);
    if (hostProblem) throw new InvalidPropsError(this, 'host', `PassthroughRoute ${hostProblem}`);
    const policy = props.insecureEdgeTerminationPolicy ?? DEFAULT_ROUTE_INSECURE_POLICY;
    if (!ROUTE_INSECURE_POLICIES.includes(policy)) {
      throw new InvalidPropsError(this, 'insecureEdgeTerminationPolicy', `PassthroughRoute insecureEdgeTerminationPolicy ${shown(policy)} is not None or Redirect (the Route API refuses Allow with passthrough)`);
    }
    this.route = new JsonApiObject(this, 'route', {
      apiVersion: OPENSHIFT_ROUTE_API_VERSION,
      kind: 'Route',
      metadata: { name: props.name, namespace: props.namespace, labels: { [LABELS.app]: props.service }, annotations: props.annotations },
      spec: {
        host: props.host,
        to: { kind: 'Service', name: props.service },
        port: { targetPort: props.targetPort },
        tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: policy },
      },
    });
  }
}
