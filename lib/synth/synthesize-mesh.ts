import { ApiObject, App } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MESH_FACTS } from '../../constructs/mesh-registry';
import { printable, type ConstructWarning } from '../errors';
import type { Manifest, MeshManifests } from '../manifest/mesh-manifests';

/** The synthesized mesh plus the extra files its constructs emitted. */
export interface SynthesizedMesh {
  readonly manifests: MeshManifests;
  /** Relative path -> content, for files that are not manifests (install values, ...). */
  readonly files: ReadonlyMap<string, string>;
  /** The warnings the constructs raised: code, construct path, cluster, message and hint. */
  readonly constructWarnings: readonly ConstructWarning[];
}

/**
 * Turns the constructs into manifests. Validation runs once for the whole app and each object is
 * resolved once: `chart.toJson()` would re-run dependency resolution and validation of the whole
 * app per chart, which grows with charts x objects. Each object goes to the folder of its nearest
 * `MeshPart` (or mesh chart); an object outside the mesh's charts, or a dependency between
 * constructs (whose order no folder can honour), fails validation rather than being dropped.
 */
export function synthesizeMesh(mesh: IstioMesh): SynthesizedMesh {
  const app = App.of(mesh);
  const { all, errors } = mesh.withOneWalk((meshTree) => {
    const constructs = constructsOfApp(app, mesh, meshTree);
    return { all: constructs, errors: validationErrors(constructs) };
  });
  const clusters = new Map<string, Manifest[]>(mesh.model.clusters.map((cluster) => [cluster.name, []]));
  const controlPlane: Manifest[] = [];
  for (const construct of all) {
    if (!ApiObject.isApiObject(construct)) continue;
    const destination = mesh.destinationOf(construct);
    if (destination === undefined) {
      if (!belongsToAnotherMesh(construct, mesh)) errors.push(`[${construct.node.path}] ${OUTSIDE_THE_MESH}`);
      continue;
    }
    (destination.controlPlane ? controlPlane : clusters.get(destination.cluster)!).push(construct.toJson() as Manifest);
  }
  // Each error repeats props as they are: escaped, none can start a line of its own.
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.map(printable).join('\n  ')}`);
  return {
    manifests: { clusters, controlPlane, controlPlaneCluster: mesh.model.controlPlane.name, controlPlaneAddressKind: mesh.model.controlPlaneAddressKind },
    files: mesh.registry.read(MESH_FACTS.files),
    constructWarnings: mesh.constructWarnings,
  };
}

const OUTSIDE_THE_MESH =
  "is outside the mesh's charts, so no folder would hold it; create it in a mesh construct's part (partIn(cluster), controlPlanePart) or in a chart of the IstioMesh (clusterChart(name), controlPlaneChart)";

/**
 * `app.node.findAll()` without the app itself (whose validation is its synth()'s: a plain App
 * refuses to write a mesh), taking the mesh's part from `meshTree`, the walk of it the mesh made.
 */
function constructsOfApp(app: IConstruct, mesh: IstioMesh, meshTree: readonly IConstruct[]): IConstruct[] {
  const found: IConstruct[] = [];
  const visit = (construct: IConstruct): void => {
    if (construct === mesh) {
      for (const inMesh of meshTree) found.push(inMesh);
      return;
    }
    if (construct !== app) found.push(construct);
    for (const child of construct.node.children) visit(child);
  };
  visit(app);
  return found;
}

function belongsToAnotherMesh(construct: IConstruct, mesh: IstioMesh): boolean {
  return construct.node.scopes.some((scope) => IstioMesh.isIstioMesh(scope) && scope !== mesh);
}

function validationErrors(constructs: readonly IConstruct[]): string[] {
  return constructs.flatMap((construct) => [
    ...construct.node.validate().map((error) => `[${construct.node.path}] ${error}`),
    ...construct.node.dependencies.map(
      (dependency) =>
        `[${construct.node.path}] depends on ${dependency.node.path} (node.addDependency), which the output cannot honour: ` +
        'each folder is applied as a whole, its objects in kind order (Namespaces, RBAC, Services, workloads, webhooks); remove the dependency',
    ),
  ]);
}
