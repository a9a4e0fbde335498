import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { K8GB_API_VERSION, K8GB_HOSTNAME_ANNOTATION } from '../lib/model/names';
import { JsonApiObject } from './json-api-object';

/** Props of `K8gbGslb`. */
export interface K8gbGslbProps {
  /** The namespace of the Gslb and of the Service it names. */
  readonly namespace: string;
  /** The Gslb's name. */
  readonly name: string;
  /** The name k8gb answers for (the `k8gb.io/hostname` annotation its Service resolver requires). */
  readonly hostname: string;
  /** The LoadBalancer Service whose ready endpoints make the cluster healthy and whose address k8gb hands out. */
  readonly service: string;
  /** The Gslb's `spec.strategy` (`type`, `primaryGeoTag`, `weight`, `dnsTtlSeconds`). */
  readonly strategy: Readonly<Record<string, unknown>>;
}

/**
 * A k8gb `Gslb` (`k8gb.io/v1beta1`) in one cluster, resolving through a LoadBalancer Service: k8gb's
 * Service resolver needs exactly one Service of type LoadBalancer and the `k8gb.io/hostname`
 * annotation on the Gslb, and reads the addresses to hand out from the Service's
 * `status.loadBalancer.ingress`. The same Gslb goes to every cluster of the load balancer.
 */
export class K8gbGslb extends Construct {
  /** The Gslb (escape hatch: its JSON patches apply to the JSON written). */
  public readonly gslb: ApiObject;

  constructor(scope: Construct, id: string, props: K8gbGslbProps) {
    super(scope, id);
    this.gslb = new JsonApiObject(this, 'gslb', {
      apiVersion: K8GB_API_VERSION,
      kind: 'Gslb',
      metadata: { name: props.name, namespace: props.namespace, annotations: { [K8GB_HOSTNAME_ANNOTATION]: props.hostname } },
      spec: { resourceRef: { apiVersion: 'v1', kind: 'Service', name: props.service }, strategy: { ...props.strategy } },
    });
  }
}
