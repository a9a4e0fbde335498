import { Construct } from 'constructs';
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

  /** The parts this construct has made so far, in creation order. */
  public get parts(): MeshPart[] {
    return this.node.children.filter(MeshPart.isMeshPart);
  }
}
