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

/** What a phase of a cluster folder delivers, as an error names it. */
const PHASE_OBJECTS_WORDS: Readonly<Record<PhaseObjects, string>> = {
  all: 'the folder of',
  'mesh-components': 'the mesh components of',
  workloads: 'the folder of',
  [INSTALL_STAGES.operator]: 'the Sail operator of',
  [INSTALL_STAGES.afterIstio]: 'the objects applied after the Istio of',
};

/**
 * A stage of delivery: the objects of a cluster's folder that declare it (by their labels,
 * `deliveryStageLabels`; `workloads` the objects that declare none), or the `control-plane/`
 * folder. It is delivered on each cluster of `on` where `present` holds.
 */
interface DeliveryStage {
  /** `control-plane-folder`: the `control-plane/` folder, once (its objects declare no stage). */
  readonly on: 'every-cluster' | 'control-plane' | 'remotes' | 'control-plane-folder';
  /** The objects of the cluster's folder the stage delivers; the whole folder when it has no other stage. */
  readonly objects?: Exclude<PhaseObjects, 'all'>;
  readonly present: (model: Mesh) => boolean;
  readonly name: (model: Mesh, cluster: Cluster) => string;
  readonly summary: (model: Mesh, cluster: Cluster, objects: PhaseObjects) => string;
  readonly healthChecks?: (model: Mesh, cluster: Cluster) => readonly PhaseHealthCheck[] | undefined;
}

const always = () => true;
const tokenAfterIstio = (model: Mesh) => model.sail !== undefined && sailReaderTokenAfterIstio(model.sail);

/**
 * The stages in the order a first install converges in, from an empty set of clusters (Istio
 * installed by its charts):
 * 1. the control-plane cluster's folder, and each remote's mesh components (its `istio-system`,
 *    reader account and token Secret, `istiod` Service and injection webhook), side by side;
 * 2. a human publishes the reader tokens Kubernetes has issued (`cdk8s-istio-multicluster tokens`);
 * 3. `control-plane/`: the Istio configuration and the remote secrets, which read those tokens;
 * 4. each remote's workloads, injected by an istiod that now reads their cluster.
 * The Sail installer's objects declare more stages: the control plane's mesh components (its
 * `Istio`) before the rest of its folder; with `sail.subscription` each cluster's operator first,
 * ready once its CRDs are, because Flux dry-runs every object of a phase before applying any
 * (fluxcd/pkg `ssa/manager_apply.go`, `ApplyAll`) and Argo CD would sync the `Istio` before OLM
 * installs its CRD; and where the operator renders the reader account, each remote's reader token
 * Secret once the account exists (`sailReaderTokenAfterIstio`).
 *
 * Each phase follows the latest phase before it, in this order, of its own cluster; the
 * `control-plane/` phase counts as one of every cluster, and follows the latest of each.
 */
const DELIVERY_STAGES: readonly DeliveryStage[] = [
  {
    objects: INSTALL_STAGES.operator,
    on: 'every-cluster',
    present: (model) => model.sail?.subscription !== undefined,
    name: (model, cluster) => stageDeliveryName(model, cluster.name, INSTALL_STAGES.operator),
    healthChecks: (model, cluster) => sailKindsIn(model, cluster).map((kind) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: sailCrdName(kind) })),
    summary: (model, cluster) =>
      `the OLM \`Subscription\` of \`${clusterFolder(cluster.name)}/\`, ready once the Sail operator's CRDs are (${sailKindsIn(model, cluster).map((kind) => `\`${sailCrdName(kind)}\``).join(', ')})`,
  },
  // With the Sail installer the control plane's Istio is in its folder: it goes, and is ready, before the pods it injects.
  {
    objects: 'mesh-components',
    on: 'control-plane',
    present: (model) => model.sail !== undefined,
    name: (model, cluster) => meshComponentsDeliveryName(model, cluster.name),
    summary: (_model, cluster) =>
      `the mesh components of \`${clusterFolder(cluster.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): the Sail operator's resources, \`istio-system\` and the \`Istio\`, whose istiod injects everything after`,
  },
  {
    objects: 'workloads',
    on: 'control-plane',
    present: always,
    name: (model, cluster) => clusterDeliveryName(model, cluster.name),
    summary: (_model, cluster, objects) => `${objects === 'all' ? '' : 'the rest of '}\`${clusterFolder(cluster.name)}/\`: the control-plane cluster's namespaces, gateways and workloads`,
  },
  {
    objects: 'mesh-components',
    on: 'remotes',
    present: always,
    name: (model, cluster) => meshComponentsDeliveryName(model, cluster.name),
    healthChecks: (model) => (tokenAfterIstio(model) ? [{ apiVersion: 'v1', kind: 'ServiceAccount', name: READER_SERVICE_ACCOUNT, namespace: ISTIO_SYSTEM_NAMESPACE }] : undefined),
    summary: (model, remote) => {
      const afterIstio = tokenAfterIstio(model);
      return model.sail
        ? `the mesh components of \`${clusterFolder(remote.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): \`istio-system\`, ${afterIstio ? '' : 'the reader account and its token Secret, '}the remote \`Istio\`, from which the Sail operator renders the \`istiod\` Service and the injection webhook${afterIstio ? `, and the reader account \`${READER_SERVICE_ACCOUNT}\` (ready once it exists)` : ''}`
        : `the mesh components of \`${clusterFolder(remote.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): \`istio-system\`, the reader account and its token Secret, the \`istiod\` Service and the injection webhook`;
    },
  },
  {
    objects: INSTALL_STAGES.afterIstio,
    on: 'remotes',
    present: tokenAfterIstio,
    name: (model, cluster) => stageDeliveryName(model, cluster.name, INSTALL_STAGES.afterIstio),
    summary: (_model, remote) =>
      `the reader token Secret of \`${clusterFolder(remote.name)}/\`, once the operator has created its account (Kubernetes deletes a token Secret whose account does not exist)`,
  },
  {
    on: 'control-plane-folder',
    present: always,
    name: (model) => controlPlaneDeliveryName(model),
    summary: () => `\`${CONTROL_PLANE_FOLDER}/\`: the mesh's Istio configuration and the remote secrets`,
  },
  {
    objects: 'workloads',
    on: 'remotes',
    present: always,
    name: (model, cluster) => clusterDeliveryName(model, cluster.name),
    summary: (_model, remote) => `the rest of \`${clusterFolder(remote.name)}/\`: its namespaces, gateways and workloads`,
  },
];

/** The phases of a first install: a loop over the stages the mesh's objects declare (`DELIVERY_STAGES`). */
export function deliveryPhases(model: Mesh): DeliveryPhase[] {
  const clustersOf = (stage: DeliveryStage): readonly Cluster[] =>
    stage.on === 'every-cluster' ? model.clusters : stage.on === 'remotes' ? model.remotes : [model.controlPlane];
  const present = DELIVERY_STAGES.filter((stage) => stage.present(model));
  // How many phases each cluster folder has: a folder delivered by one phase is delivered whole.
  const phasesOfFolder = new Map<string, number>();
  for (const stage of present) {
    if (stage.on === 'control-plane-folder') continue;
    for (const cluster of clustersOf(stage)) phasesOfFolder.set(cluster.name, (phasesOfFolder.get(cluster.name) ?? 0) + 1);
  }
  /** Cluster name -> the latest phase of its sequence so far. */
  const latest = new Map<string, string>();
  const phases: DeliveryPhase[] = [];
  for (const stage of present) {
    for (const cluster of clustersOf(stage)) {
      const name = stage.name(model, cluster);
      const controlPlaneFolder = stage.on === 'control-plane-folder';
      const objects: PhaseObjects = stage.objects === undefined || phasesOfFolder.get(cluster.name) === 1 ? 'all' : stage.objects;
      const previous = (each: Cluster) => {
        const phase = latest.get(each.name);
        return phase === undefined ? [] : [phase];
      };
      const after = controlPlaneFolder ? [model.controlPlane, ...model.remotes].flatMap(previous) : previous(cluster);
      const healthChecks = stage.healthChecks?.(model, cluster);
      phases.push({
        name,
        cluster: cluster.name,
        folder: controlPlaneFolder ? CONTROL_PLANE_FOLDER : clusterFolder(cluster.name),
        objects,
        after,
        readsPublishedTokens: controlPlaneFolder && model.remotes.length > 0 && model.credentials.source !== 'inline',
        ...(healthChecks === undefined ? {} : { healthChecks }),
        summary: stage.summary(model, cluster, objects),
      });
      if (controlPlaneFolder) for (const each of model.clusters) latest.set(each.name, name);
      else latest.set(cluster.name, name);
    }
  }
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
