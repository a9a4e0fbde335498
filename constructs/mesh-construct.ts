import { Construct } from 'constructs';
import { checkProp, InvalidPropsError } from '../lib/errors';
import { revisionSelectorProblem } from '../lib/model/revisions';
import { IstioMesh } from './istio-mesh';
import { MeshPart } from './mesh-part';

/**
 * A construct of the mesh: created under any scope inside an `IstioMesh`, it owns a `MeshPart` per
 * output folder it writes to, so every object it makes is one of its descendants. Escape hatches
 * then work on `Node.of(construct)`, e.g. `construct.partIn('west').node.findAll()`.
 */
export abstract class MeshConstruct extends Construct {
  /** The mesh this construct belongs to. */
  public readonly mesh: IstioMesh;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.mesh = IstioMesh.of(this);
  }

  /** This construct's objects in a cluster's folder (`clusters/<cluster>/`); throws for a cluster the mesh lacks. */
  public partIn(cluster: string): MeshPart {
    return this.mesh.partFor(this, cluster);
  }

  /** This construct's objects in the control-plane folder (`control-plane/`). */
  public get controlPlanePart(): MeshPart {
    return this.mesh.partFor(this, undefined);
  }

  /**
   * The clusters a `clusters` prop selects, in mesh order, each once: `requested`, or `defaults`
   * (every cluster of the mesh unless given) when it is undefined. Throws an InvalidPropsError on
   * `clusters` for a cluster the mesh lacks.
   */
  protected selectClusters(requested: readonly string[] | undefined, defaults?: readonly string[]): string[] {
    const model = this.mesh.model;
    const selected = new Set(requested ?? defaults ?? model.clusters.map((cluster) => cluster.name));
    for (const name of selected) checkProp(this, 'clusters', () => model.cluster(name));
    return model.clusters.filter((cluster) => selected.has(cluster.name)).map((cluster) => cluster.name);
  }

  /**
   * A `revision` prop (a revision, a tag or `default`), checked with the inventory's rule;
   * undefined stays undefined (the mesh's default injection). Throws an InvalidPropsError on
   * `revision` naming the value and what the mesh has.
   */
  protected checkRevision(what: string, revision: string | undefined): string | undefined {
    if (revision === undefined) return undefined;
    const problem = revisionSelectorProblem(this.mesh.model.revisions, revision);
    if (problem) throw new InvalidPropsError(this, 'revision', `${what} revision ${problem}`);
    return revision;
  }

  /** The parts this construct has made so far, in creation order. */
  public get parts(): MeshPart[] {
    return this.node.children.filter(MeshPart.isMeshPart);
  }
}
