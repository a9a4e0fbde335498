import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { CONSTRUCT_WARNING_CODES, InvalidPropsError } from '../lib/errors';
import { cniValues, istiodValues } from '../lib/model/istio-values';
import type { Trust } from '../lib/model/trust';
import type { Cluster, Mesh, Sail } from '../lib/model/mesh';
import { deliveryStageLabels, INSTALL_STAGES, ISTIO_SYSTEM_NAMESPACE, LABELS } from '../lib/model/names';
import { SAIL_API_VERSION, SAIL_CNI, SAIL_ISTIO_NAME, SAIL_KINDS, SAIL_SYNC_WAVES, sailKindsIn } from '../lib/model/sail';
import { kubeObject } from './kube-object';
import { MeshConstruct } from './mesh-construct';
import { meshTrust } from './mesh-trust';
import { MESH_FACTS } from './mesh-registry';
import { requireNamespaceIn } from './mtls-namespace';
import { JsonApiObject } from './json-api-object';

/** Props of `SailInstall`. */
export interface SailInstallProps {
  /**
   * The clusters whose Istio the Sail operator installs.
   * @default - every cluster of the mesh
   */
  readonly clusters?: readonly string[];
}

const ARGO_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** The operator's CRDs only exist once the Subscription has installed it: Argo CD must not dry-run the resources before. */
const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const OLM_SUBSCRIPTION = { apiVersion: 'operators.coreos.com/v1alpha1', kind: 'Subscription' } as const;

/**
 * Istio installed by the Sail operator (OpenShift Service Mesh 3) instead of Helm, each cluster's
 * part in its own folder so that GitOps delivers the whole mesh:
 * - an `Istio` resource whose `spec.values` are the Istio chart values the mesh model derives (the
 *   same derivation as the Helm values of `InstallValues`): on the control plane `meshID`,
 *   `clusterName`, `network` and `externalIstiod`; on a remote `profile: remote` with
 *   `remotePilotAddress` and the injection path or URL;
 * - an `IstioCNI` (and its namespace) on every cluster when the mesh has OpenShift clusters: the
 *   control plane then injects every pod for the CNI plugin;
 * - with the `RevisionBased` strategy, an `IstioRevisionTag` on the control plane only: the
 *   operator refuses a tag that targets a remote revision;
 * - the control plane's `istio-system` Namespace (a remote's comes from `IstioRemote`, which keeps
 *   the objects the operator does not render);
 * - when asked, the OLM `Subscription` that installs the operator.
 *
 * Every object carries the mesh components' label (applied before the workloads by hand) and an
 * Argo CD sync wave before the workloads (the Subscription one wave earlier), so that a cluster's
 * Istio is ready before pods that need injection are created.
 */
export class SailInstall extends MeshConstruct {
  /** The clusters whose Istio the operator installs, in mesh order. */
  public readonly clusters: readonly string[];

  constructor(scope: Construct, id: string, props: SailInstallProps = {}) {
    super(scope, id);
    const mesh = this.mesh;
    const model = mesh.model;
    const sail = model.sail;
    if (!sail) throw new InvalidPropsError(this, 'mesh', `SailInstall needs a mesh with installer: sail (mesh "${model.id}" has installer: ${model.installer})`);
    this.clusters = this.selectClusters(props.clusters);

    for (const cluster of this.clusters.map((name) => model.cluster(name))) {
      const objects = this.partIn(cluster.name);
      if (cluster.isControlPlane) addControlPlaneNamespace(objects, model, cluster);
      new JsonApiObject(objects, 'istio', {
        apiVersion: SAIL_API_VERSION,
        kind: SAIL_KINDS.istio,
        metadata: { name: SAIL_ISTIO_NAME, labels: deliveryStageLabels() },
        // Rendered at synthesis, as InstallValues does: the mesh config reads the cluster-local hosts other constructs register.
        spec: Lazy.any({ produce: () => istioSpec(model, sail, cluster, mesh.registry.read(MESH_FACTS.clusterLocalHosts), meshTrust(mesh)) }),
      });
      const kinds = sailKindsIn(model, cluster);
      if (kinds.includes(SAIL_KINDS.cni)) addCni(objects, sail, cluster);
      if (kinds.includes(SAIL_KINDS.revisionTag) && sail.revisionTag !== undefined) {
        new JsonApiObject(objects, 'revision-tag', {
          apiVersion: SAIL_API_VERSION,
          kind: SAIL_KINDS.revisionTag,
          metadata: { name: sail.revisionTag, labels: deliveryStageLabels() },
          spec: { targetRef: { kind: SAIL_KINDS.istio, name: SAIL_ISTIO_NAME } },
        });
      }
      for (const object of objects.node.findAll().filter(ApiObject.isApiObject)) {
        object.metadata.addAnnotation(ARGO_SYNC_WAVE, SAIL_SYNC_WAVES.istio);
        if (sail.subscription && object.apiVersion === SAIL_API_VERSION) object.metadata.addAnnotation(ARGO_SYNC_OPTIONS, 'SkipDryRunOnMissingResource=true');
      }
      if (sail.subscription) addSubscription(objects, sail.subscription);
      if (!cluster.isControlPlane && cluster.injectionUrl !== undefined) {
        mesh.addWarning(this, {
          code: CONSTRUCT_WARNING_CODES.sailRemoteNeverReady,
          cluster: cluster.name,
          message:
            "the Sail operator probes a remote's injection webhook through its Service only, so with injectionUrl it never reports the remote Istio Ready " +
            `(inventory: mesh.installer is "sail", ${model.clusterField(cluster, 'injectionUrl')} is set)`,
          hint: 'do not wait for the remote Istio to turn Ready (the README and the GitOps phases do not)',
        });
      }
    }
    const remotes = this.clusters.filter((name) => name !== model.controlPlane.name);
    requireNamespaceIn(this, mesh, ISTIO_SYSTEM_NAMESPACE, remotes);
  }
}

/**
 * The chart values go to `spec.values` and the chart profile to `spec.profile`, where the Sail
 * operator reads it (`profile: remote` on remotes).
 */
function istioSpec(model: Mesh, sail: Sail, cluster: Cluster, clusterLocalHosts: readonly string[], trust: Trust): Record<string, unknown> {
  const { profile, ...values } = istiodValues(model, cluster, clusterLocalHosts, trust);
  return {
    version: sail.version,
    namespace: ISTIO_SYSTEM_NAMESPACE,
    ...(profile === undefined ? {} : { profile }),
    updateStrategy: { type: sail.updateStrategy },
    values,
  };
}

/** Upstream has users create and label it before the `Istio` resource; the operator only checks it exists. */
function addControlPlaneNamespace(scope: Construct, model: Mesh, controlPlane: Cluster): void {
  kubeObject(k8s.KubeNamespace, scope, 'namespace', {
    metadata: {
      name: ISTIO_SYSTEM_NAMESPACE,
      labels: { ...deliveryStageLabels(), ...(model.isMultiNetwork ? { [LABELS.network]: controlPlane.network } : {}) },
    },
  });
}

function addCni(scope: Construct, sail: Sail, cluster: Cluster): void {
  kubeObject(k8s.KubeNamespace, scope, 'cni-namespace', { metadata: { name: SAIL_CNI.namespace, labels: deliveryStageLabels() } });
  const values = cniValues(cluster);
  new JsonApiObject(scope, 'cni', {
    apiVersion: SAIL_API_VERSION,
    kind: SAIL_KINDS.cni,
    metadata: { name: SAIL_CNI.name, labels: deliveryStageLabels() },
    spec: { version: sail.version, namespace: SAIL_CNI.namespace, ...(values === undefined ? {} : { values }) },
  });
}

function addSubscription(scope: Construct, subscription: NonNullable<Sail['subscription']>): void {
  new JsonApiObject(scope, 'subscription', {
    ...OLM_SUBSCRIPTION,
    metadata: {
      name: subscription.name,
      namespace: subscription.namespace,
      // Applied, and ready, before the objects of its folder that need the operator's CRDs.
      labels: deliveryStageLabels(INSTALL_STAGES.operator),
      annotations: { [ARGO_SYNC_WAVE]: SAIL_SYNC_WAVES.operator },
    },
    spec: {
      channel: subscription.channel,
      installPlanApproval: 'Automatic',
      name: subscription.name,
      source: subscription.source,
      sourceNamespace: subscription.sourceNamespace,
    },
  });
}
