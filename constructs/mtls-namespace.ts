import type { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { checkProp, InvalidPropsError } from '../lib/errors';
import { DestinationRuleSpecTrafficPolicyTlsMode, type DestinationRuleSpecTrafficPolicyOutlierDetection } from '../lib/imports/networking.istio.io';
import { PeerAuthenticationSpecMtlsMode } from '../lib/imports/security.istio.io';
import { ISTIO_KINDS } from '../lib/istio/istio-api';
import { meshPolicyContext, servicePolicyIssues, serviceTrafficPolicy } from '../lib/model/locality';
import type { Mesh } from '../lib/model/mesh';
import type { OutlierDetectionSpec, ServiceLocalitySpec } from '../lib/model/mesh-spec';
import { LABELS, NAMESPACE_PEER_AUTHENTICATION, requireDnsLabel } from '../lib/model/names';
import type { IstioMesh } from './istio-mesh';
import { kubeObject } from './kube-object';
import { MeshConstruct } from './mesh-construct';

/** A service of an mTLS namespace and the version subsets its DestinationRule declares. */
export interface MtlsService {
  /** The Service name: the DestinationRule's name and (short) host. */
  readonly name: string;
  /**
   * The versions of its workloads; each becomes a subset `{name: <v>, labels: {version: <v>}}`.
   * @default - no subsets
   */
  readonly subsets?: readonly string[];
  /**
   * The clusters its workloads run in. A service in more than one locality gets the mesh's
   * locality load balancing on its DestinationRule, and while failover is on `outlierDetection`,
   * without which Istio never fails over.
   * @default - none: the DestinationRule carries no locality policy
   */
  readonly clusters?: readonly string[];
  /**
   * Its locality policy, overriding the mesh's.
   * @default - the mesh's
   */
  readonly locality?: ServiceLocalitySpec;
}

/** Props of `MtlsNamespace`. */
export interface MtlsNamespaceProps {
  /** The namespace whose workloads talk only mutual TLS. */
  readonly namespace: string;
  /**
   * The clusters that run the namespace's workloads (the control-plane cluster is always added).
   * @default - every cluster of the mesh
   */
  readonly clusters?: readonly string[];
  /** The namespace's services, each getting an `ISTIO_MUTUAL` DestinationRule. */
  readonly services: readonly MtlsService[];
  /**
   * The revision the namespace's workloads runs on: a name of `mesh.revisions`, a tag of `mesh.revisionTags`, or
   * `default` (the default revision). The Namespace is labelled `istio.io/rev` with it, without `istio-injection`
   * (which would take precedence); with `installer: sail` a remote's names the revision itself, as
   * the operator has no tags on remotes.
   * @default - the mesh's default injection (`istio-injection: enabled`, or Sail's revision labels)
   */
  readonly revision?: string;
}

/**
 * Strict mutual TLS for one namespace across the mesh: the Namespace with sidecar injection in
 * each cluster running its workloads, and on the control plane a namespace-wide STRICT
 * PeerAuthentication plus one `ISTIO_MUTUAL` DestinationRule per service.
 *
 * The control-plane cluster always gets the Namespace, in its cluster folder, even when it runs
 * none of the workloads: the PeerAuthentication and DestinationRules of the control-plane folder
 * live in that namespace there, and istiod reads them only from its own cluster.
 */
export class MtlsNamespace extends MeshConstruct {
  public readonly namespace: string;
  /** The clusters that get the Namespace, in mesh order (always including the control plane). */
  public readonly clusters: readonly string[];
  public readonly services: readonly MtlsService[];
  /** The revision (or tag) its namespace selects; undefined for the mesh's default injection. */
  public readonly revision?: string;
  /** The namespace-wide STRICT PeerAuthentication, on the control plane. */
  public readonly peerAuthentication: ApiObject;
  /** Service name -> its `ISTIO_MUTUAL` DestinationRule, on the control plane. */
  public readonly destinationRules: ReadonlyMap<string, ApiObject>;

  constructor(scope: Construct, id: string, props: MtlsNamespaceProps) {
    super(scope, id);
    const model = this.mesh.model;
    this.namespace = checkProp(this, 'namespace', () => requireDnsLabel(props.namespace, 'MtlsNamespace namespace'));
    // The control plane always: istiod reads the namespace's policies there.
    this.clusters = this.selectClusters(props.clusters && [...props.clusters, model.controlPlane.name]);
    this.services = props.services;
    checkServices(this, props.services, model);
    this.revision = this.checkRevision('MtlsNamespace', props.revision);

    for (const cluster of this.clusters) {
      const injection = model.injectionLabel(model.cluster(cluster), this.revision);
      kubeObject(k8s.KubeNamespace, this.partIn(cluster), 'namespace', {
        metadata: { name: this.namespace, labels: { [injection.key]: injection.value } },
      });
    }
    const controlPlane = this.controlPlanePart;
    this.peerAuthentication = kubeObject(ISTIO_KINDS.peerAuthentication, controlPlane, 'peer-authentication', {
      metadata: { name: NAMESPACE_PEER_AUTHENTICATION, namespace: this.namespace },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
    const destinationRules = new Map<string, ApiObject>();
    this.destinationRules = destinationRules;
    for (const service of this.services) {
      const locality = serviceTrafficPolicy(model, service.clusters ?? [], service.locality);
      destinationRules.set(service.name, kubeObject(ISTIO_KINDS.destinationRule, controlPlane, `destination-rule-${service.name}`, {
        metadata: { name: service.name, namespace: this.namespace },
        spec: {
          host: service.name,
          trafficPolicy: {
            tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
            loadBalancer: locality?.loadBalancer,
            outlierDetection: locality?.outlierDetection && toOutlierDetection(locality.outlierDetection),
          },
          subsets: service.subsets?.map((version) => ({ name: version, labels: { [LABELS.version]: version } })),
        },
      }));
    }
  }
}

/** Istio's field names to the generated class's (which spells `consecutive5xxErrors` as `consecutive5XxErrors`). */
function toOutlierDetection({ consecutive5xxErrors, ...rest }: Required<OutlierDetectionSpec>): DestinationRuleSpecTrafficPolicyOutlierDetection {
  return { consecutive5XxErrors: consecutive5xxErrors, ...rest };
}

function checkServices(owner: Construct, services: readonly MtlsService[], model: Mesh): void {
  const seen = new Set<string>();
  const context = meshPolicyContext(model);
  for (const [index, service] of services.entries()) {
    checkProp(owner, `services[${index}].name`, () => requireDnsLabel(service.name, 'MtlsNamespace service'));
    for (const cluster of service.clusters ?? []) checkProp(owner, `services[${index}].clusters`, () => model.cluster(cluster));
    const issue = service.locality && servicePolicyIssues(service.locality, `services.${service.name}.locality`, context)[0];
    if (issue) throw new InvalidPropsError(owner, `services[${index}].locality`, `MtlsNamespace ${issue.path}: ${issue.message}`);
    if (seen.has(service.name)) throw new InvalidPropsError(owner, `services[${index}].name`, `MtlsNamespace service "${service.name}" is listed twice; list each service once`);
    seen.add(service.name);
    const duplicate = service.subsets?.find((version, index) => service.subsets!.indexOf(version) !== index);
    if (duplicate !== undefined) {
      throw new InvalidPropsError(owner, `services[${index}].subsets`, `MtlsNamespace service "${service.name}" lists subset "${duplicate}" twice; list each version once`);
    }
  }
}

/**
 * Makes synthesis fail unless the Namespace `namespace` is emitted in the chart of each of
 * `clusters`, whichever construct emits it (an MtlsNamespace or a plain Namespace object):
 * without it, applying that cluster's folder fails on the first object of the namespace.
 */
export function requireNamespaceIn(owner: Construct, mesh: IstioMesh, namespace: string, clusters: readonly string[]): void {
  owner.node.addValidation({
    validate: () => {
      const namespaces = mesh.namespacesByCluster();
      return clusters
        .filter((cluster) => !namespaces.get(cluster)!.has(namespace))
        .map((cluster) => `Namespace "${namespace}" is not emitted for cluster "${cluster}", where this construct places objects in it; cover that cluster with an MtlsNamespace or add the Namespace`);
    },
  });
}
