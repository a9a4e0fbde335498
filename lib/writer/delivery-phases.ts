import type { Mesh } from '../model/mesh';
import { MeshValidationError } from '../model/mesh-validation-error';
import { MESH_COMPONENT_LABELS } from '../model/names';
import { CONTROL_PLANE_FOLDER, clusterFolder } from '../manifest/mesh-manifests';

/**
 * Which objects of its folder a phase delivers: all of them, or those that carry (or lack) the
 * mesh-component label, so that a remote's mesh components and its workloads are delivered apart
 * from one folder that `kubectl apply -k` still applies whole.
 */
export type PhaseObjects = 'all' | 'mesh-components' | 'workloads';

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

/**
 * The order a first install converges in, from an empty set of clusters (Istio installed by its
 * charts):
 * 1. the control-plane cluster's folder, and each remote's mesh components (its `istio-system`,
 *    reader account and token Secret, `istiod` Service and injection webhook), side by side;
 * 2. a human publishes the reader tokens Kubernetes has issued (`cdk8s-istio-multicluster tokens`);
 * 3. `control-plane/`: the Istio configuration and the remote secrets, which read those tokens;
 * 4. each remote's workloads, injected by an istiod that now reads their cluster.
 * A phase lists the phases it follows; other install paths add theirs to this list.
 */
export function deliveryPhases(model: Mesh): DeliveryPhase[] {
  const controlPlane = model.controlPlane.name;
  // With the Sail installer the control plane's Istio is in its folder: it goes, and is ready, before the pods it injects.
  const controlPlaneIstio: DeliveryPhase | undefined = model.sail && {
    name: meshComponentsDeliveryName(model, controlPlane),
    cluster: controlPlane,
    folder: clusterFolder(controlPlane),
    objects: 'mesh-components',
    after: [],
    readsPublishedTokens: false,
    summary: `the mesh components of \`${clusterFolder(controlPlane)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): the Sail operator's resources, \`istio-system\` and the \`Istio\`, whose istiod injects everything after`,
  };
  const controlPlaneCluster: DeliveryPhase = {
    name: clusterDeliveryName(model, controlPlane),
    cluster: controlPlane,
    folder: clusterFolder(controlPlane),
    objects: controlPlaneIstio ? 'workloads' : 'all',
    after: controlPlaneIstio ? [controlPlaneIstio.name] : [],
    readsPublishedTokens: false,
    summary: `${controlPlaneIstio ? 'the rest of ' : ''}\`${clusterFolder(controlPlane)}/\`: the control-plane cluster's namespaces, gateways and workloads`,
  };
  const remoteMeshComponents = model.remotes.map((remote): DeliveryPhase => ({
    name: meshComponentsDeliveryName(model, remote.name),
    cluster: remote.name,
    folder: clusterFolder(remote.name),
    objects: 'mesh-components',
    after: [],
    readsPublishedTokens: false,
    summary: model.sail
      ? `the mesh components of \`${clusterFolder(remote.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): \`istio-system\`, the reader token Secret and the remote \`Istio\`, from which the Sail operator renders the \`istiod\` Service and the injection webhook`
      : `the mesh components of \`${clusterFolder(remote.name)}/\` (\`${MESH_COMPONENT_SELECTOR}\`): \`istio-system\`, the reader account and its token Secret, the \`istiod\` Service and the injection webhook`,
  }));
  const controlPlaneConfig: DeliveryPhase = {
    name: controlPlaneDeliveryName(model),
    cluster: controlPlane,
    folder: CONTROL_PLANE_FOLDER,
    objects: 'all',
    after: [controlPlaneCluster.name, ...remoteMeshComponents.map((phase) => phase.name)],
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
  const phases = [...(controlPlaneIstio ? [controlPlaneIstio] : []), controlPlaneCluster, ...remoteMeshComponents, controlPlaneConfig, ...remoteWorkloads];
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
    const what = phase.folder === CONTROL_PLANE_FOLDER ? `the ${CONTROL_PLANE_FOLDER}/ folder of` : phase.objects === 'mesh-components' ? 'the mesh components of' : 'the folder of';
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
