import type { Cluster, Mesh } from '../model/mesh';
import { MeshValidationError } from '../model/mesh-validation-error';
import { INSTALL_STAGES, ISTIO_SYSTEM_NAMESPACE, MESH_COMPONENT_LABELS, READER_SERVICE_ACCOUNT, type InstallStage } from '../model/names';
import { sailCrdName, sailKindsIn, sailReaderTokenAfterIstio } from '../model/sail';
import { CONTROL_PLANE_FOLDER, clusterFolder } from '../manifest/mesh-manifests';

/**
 * Which objects of its folder a phase delivers: all of them; those that carry (or lack) the
 * mesh-component label, so that a remote's mesh components and its workloads are delivered apart
 * from one folder that `kubectl apply -k` still applies whole; or the mesh components of one
 * install stage (`INSTALL_STAGE_LABEL`), which the phase of the other mesh components leaves out.
 */
export type PhaseObjects = 'all' | 'mesh-components' | 'workloads' | InstallStage;

/** An object a phase waits for, by reference: it need not be one the phase applies. */
export interface PhaseHealthCheck {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** One step of a first install through GitOps: one Flux Kustomization or Argo CD Application. */
export interface DeliveryPhase {
  /** The Flux Kustomization / Argo CD Application name. */
  readonly name: string;
  /** The cluster the phase applies to. */
  readonly cluster: string;
  /** The output folder its objects come from, relative to the output root. */
  readonly folder: string;
  readonly objects: PhaseObjects;
  /** The phases that must be applied, and healthy, before this one. */
  readonly after: readonly string[];
  /**
   * The phase reads the remotes' reader tokens that a human publishes (the one manual step), so
   * it waits for them: from the Flux Secret `istio-remote-tokens` or the external-secrets store.
   */
  readonly readsPublishedTokens: boolean;
  /**
   * What the phase is ready on when that is not its own objects: objects an operator creates from
   * them (Flux `healthChecks`, in place of `wait`). Argo CD reads the health of the phase's own
   * objects, whose health checks say the same (a Subscription is healthy once its install plan,
   * CRDs included, is in; a remote `Istio` once `Reconciled`).
   * @default - none: the phase's own objects
   */
  readonly healthChecks?: readonly PhaseHealthCheck[];
  /** What the phase installs, for the README. */
  readonly summary: string;
}

/** The label selector of the mesh components, as `key=value`. */
export const MESH_COMPONENT_SELECTOR = Object.entries(MESH_COMPONENT_LABELS).map(([key, value]) => `${key}=${value}`).join(',');

/** The Argo CD Application / Flux Kustomization of a cluster's folder (of its workloads, on a remote). */
export function clusterDeliveryName(model: Mesh, clusterName: string): string {
  return `${model.id}-cluster-${clusterName}`;
}

/** The Argo CD Application / Flux Kustomization of a remote's mesh components. */
export function meshComponentsDeliveryName(model: Mesh, clusterName: string): string {
  return `${clusterDeliveryName(model, clusterName)}-mesh`;
}

/** The Argo CD Application / Flux Kustomization of the control-plane folder. */
export function controlPlaneDeliveryName(model: Mesh): string {
  return `${model.id}-${CONTROL_PLANE_FOLDER}`;
}

/** The Argo CD Application / Flux Kustomization of a cluster's mesh components of one install stage. */
export function stageDeliveryName(model: Mesh, clusterName: string, stage: InstallStage): string {
  return `${clusterDeliveryName(model, clusterName)}-${stage}`;
}

/**
 * The order a first install converges in, from an empty set of clusters (Istio installed by its
 * charts):
 * 1. the control-plane cluster's folder, and each remote's mesh components (its `istio-system`,
 *    reader account and token Secret, `istiod` Service and injection webhook), side by side;
 * 2. a human publishes the reader tokens Kubernetes has issued (`cdk8s-istio-multicluster tokens`);
 * 3. `control-plane/`: the Istio configuration and the remote secrets, which read those tokens;
 * 4. each remote's workloads, injected by an istiod that now reads their cluster.
 * The Sail installer adds phases: the control plane's mesh components (its `Istio`) before the
 * rest of its folder; with `sail.subscription` each cluster's operator first, ready once its CRDs
 * are, because Flux dry-runs every object of a phase before applying any (fluxcd/pkg
 * `ssa/manager_apply.go`, `ApplyAll`) and Argo CD would sync the `Istio` before OLM installs its
 * CRD; and where the operator renders the reader account, each remote's reader token Secret once
 * the account exists (`sailReaderTokenAfterIstio`).
 */
/** What a phase of a cluster folder delivers, as an error names it. */
const PHASE_OBJECTS_WORDS: Readonly<Record<PhaseObjects, string>> = {
  all: 'the folder of',
  'mesh-components': 'the mesh components of',
  workloads: 'the folder of',
  [INSTALL_STAGES.operator]: 'the Sail operator of',
  [INSTALL_STAGES.afterIstio]: 'the objects applied after the Istio of',
};

export function deliveryPhases(model: Mesh): DeliveryPhase[] {
  const controlPlane = model.controlPlane;
  const sail = model.sail;
  const operatorPhase = (cluster: Cluster): DeliveryPhase | undefined => sail?.subscription && {
    name: stageDeliveryName(model, cluster.name, INSTALL_STAGES.operator),
    cluster: cluster.name,
    folder: clusterFolder(cluster.name),
    objects: INSTALL_STAGES.operator,
    after: [],
    readsPublishedTokens: false,
    healthChecks: sailKindsIn(model, cluster).map((kind) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: sailCrdName(kind) })),
    summary: `the OLM \`Subscription\` of \`${clusterFolder(cluster.name)}/\`, ready once the Sail operator's CRDs are (${sailKindsIn(model, cluster).map((kind) => `\`${sailCrdName(kind)}\``).join(', ')})`,
  };
  const operators = new Map(model.clusters.map((cluster) => [cluster.name, operatorPhase(cluster)]));
  const afterOperator = (cluster: Cluster) => {
    const operator = operators.get(cluster.name);
    return operator ? [operator.name] : [];
  };
  // With the Sail installer the control plane's Istio is in its folder: it goes, and is ready, before the pods it injects.
  const controlPlaneIstio: DeliveryPhase | undefined = sail && {
    name: meshComponentsDeliveryName(model, controlPlane.name),
    cluster: controlPlane.name,
    folder: clusterFolder(controlPlane.name),
    objects: 'mesh-components',
    after: afterOperator(controlPlane),
    readsPublishedTokens: false,
    summary: `the mesh components of \`${clusterFolder(controlPlane.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): the Sail operator's resources, \`istio-system\` and the \`Istio\`, whose istiod injects everything after`,
  };
  const controlPlaneCluster: DeliveryPhase = {
    name: clusterDeliveryName(model, controlPlane.name),
    cluster: controlPlane.name,
    folder: clusterFolder(controlPlane.name),
    objects: controlPlaneIstio ? 'workloads' : 'all',
    after: controlPlaneIstio ? [controlPlaneIstio.name] : [],
    readsPublishedTokens: false,
    summary: `${controlPlaneIstio ? 'the rest of ' : ''}\`${clusterFolder(controlPlane.name)}/\`: the control-plane cluster's namespaces, gateways and workloads`,
  };
  const tokenAfterIstio = sail !== undefined && sailReaderTokenAfterIstio(sail);
  const remoteMeshComponents = model.remotes.map((remote): DeliveryPhase => ({
    name: meshComponentsDeliveryName(model, remote.name),
    cluster: remote.name,
    folder: clusterFolder(remote.name),
    objects: 'mesh-components',
    after: afterOperator(remote),
    readsPublishedTokens: false,
    ...(tokenAfterIstio ? { healthChecks: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: READER_SERVICE_ACCOUNT, namespace: ISTIO_SYSTEM_NAMESPACE }] } : {}),
    summary: sail
      ? `the mesh components of \`${clusterFolder(remote.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): \`istio-system\`, ${tokenAfterIstio ? '' : 'the reader account and its token Secret, '}the remote \`Istio\`, from which the Sail operator renders the \`istiod\` Service and the injection webhook${tokenAfterIstio ? `, and the reader account \`${READER_SERVICE_ACCOUNT}\` (ready once it exists)` : ''}`
      : `the mesh components of \`${clusterFolder(remote.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): \`istio-system\`, the reader account and its token Secret, the \`istiod\` Service and the injection webhook`,
  }));
  const remoteTokens = tokenAfterIstio
    ? remoteMeshComponents.map((meshPhase): DeliveryPhase => ({
      name: stageDeliveryName(model, meshPhase.cluster, INSTALL_STAGES.afterIstio),
      cluster: meshPhase.cluster,
      folder: meshPhase.folder,
      objects: INSTALL_STAGES.afterIstio,
      after: [meshPhase.name],
      readsPublishedTokens: false,
      summary: `the reader token Secret of \`${meshPhase.folder}/\`, once the operator has created its account (Kubernetes deletes a token Secret whose account does not exist)`,
    }))
    : [];
  const controlPlaneConfig: DeliveryPhase = {
    name: controlPlaneDeliveryName(model),
    cluster: controlPlane.name,
    folder: CONTROL_PLANE_FOLDER,
    objects: 'all',
    after: [controlPlaneCluster.name, ...(remoteTokens.length > 0 ? remoteTokens : remoteMeshComponents).map((phase) => phase.name)],
    readsPublishedTokens: model.remotes.length > 0 && model.credentials.source !== 'inline',
    summary: `\`${CONTROL_PLANE_FOLDER}/\`: the mesh's Istio configuration and the remote secrets`,
  };
  const remoteWorkloads = model.remotes.map((remote): DeliveryPhase => ({
    name: clusterDeliveryName(model, remote.name),
    cluster: remote.name,
    folder: clusterFolder(remote.name),
    objects: 'workloads',
    after: [controlPlaneConfig.name],
    readsPublishedTokens: false,
    summary: `the rest of \`${clusterFolder(remote.name)}/\`: its namespaces, gateways and workloads`,
  }));
  const phases = [
    ...[...operators.values()].filter((phase): phase is DeliveryPhase => phase !== undefined),
    ...(controlPlaneIstio ? [controlPlaneIstio] : []),
    controlPlaneCluster,
    ...remoteMeshComponents,
    ...remoteTokens,
    controlPlaneConfig,
    ...remoteWorkloads,
  ];
  requireDistinctNames(model, phases);
  return phases;
}

/**
 * Every phase's Application / Kustomization name (and so its `gitops/` folder) must be its own: a
 * cluster `west-mesh` would otherwise take the name of `west`'s mesh components phase. Both
 * clusters are named, with what each name is derived for.
 */
function requireDistinctNames(model: Mesh, phases: readonly DeliveryPhase[]): void {
  const owners = new Map<string, DeliveryPhase>();
  const describe = (phase: DeliveryPhase) => {
    const index = model.clusters.findIndex((cluster) => cluster.name === phase.cluster);
    const what = phase.folder === CONTROL_PLANE_FOLDER ? `the ${CONTROL_PLANE_FOLDER}/ folder of` : PHASE_OBJECTS_WORDS[phase.objects];
    return `${what} clusters[${index}] "${phase.cluster}"`;
  };
  for (const phase of phases) {
    const first = owners.get(phase.name);
    if (first) {
      // The user's input, not a defect: an issue at the later cluster's name, as the inventory's rules report theirs.
      const index = model.clusters.findIndex((cluster) => cluster.name === phase.cluster);
      throw new MeshValidationError([
        { path: `clusters[${index}].name`, message: `GitOps object name "${phase.name}" is derived twice, for ${describe(first)} and for ${describe(phase)}; rename one of the clusters` },
      ]);
    }
    owners.set(phase.name, phase);
  }
}

/** Each phase's wave: 0 for a phase that follows none, else one more than the latest it follows. */
export function phaseWaves(phases: readonly DeliveryPhase[]): Map<string, number> {
  const byName = new Map(phases.map((phase) => [phase.name, phase]));
  const waves = new Map<string, number>();
  const visiting = new Set<string>();
  const waveOf = (name: string): number => {
    const known = waves.get(name);
    if (known !== undefined) return known;
    const phase = byName.get(name);
    if (!phase) throw new Error(`Delivery phase "${name}" is named in an order but not defined`);
    if (visiting.has(name)) throw new Error(`Delivery phase "${name}" follows itself: the phases form a cycle`);
    visiting.add(name);
    const wave = phase.after.length === 0 ? 0 : Math.max(...phase.after.map(waveOf)) + 1;
    visiting.delete(name);
    waves.set(name, wave);
    return wave;
  };
  for (const phase of phases) waveOf(phase.name);
  return waves;
}
