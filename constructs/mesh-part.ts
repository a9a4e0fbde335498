import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';

const MESH_PART_SYMBOL = Symbol.for('cdk8s-istio-multicluster.MeshPart');

/** Props of `MeshPart`. */
export interface MeshPartProps {
  /** The cluster the part's objects are applied to. */
  readonly cluster: string;
  /**
   * Whether the objects go to the control-plane folder (Istio configuration istiod reads) rather
   * than the cluster's own folder; `cluster` is then the control-plane cluster.
   * @default false
   */
  readonly controlPlane?: boolean;
}

/**
 * The objects one construct places in one output folder. It is a child of the construct that owns
 * the objects, so `Node.of(construct).findAll()` finds every object the construct made, and a
 * chart, so that cdk8s resolves those objects where the folder says: synthesis writes each object
 * into the folder of its nearest part (or of the mesh chart it was created in).
 */
export class MeshPart extends Chart {
  /** Whether the construct is a MeshPart (works across duplicated copies of this package). */
  public static isMeshPart(x: unknown): x is MeshPart {
    return x !== null && typeof x === 'object' && MESH_PART_SYMBOL in x;
  }

  /** The cluster the objects are applied to (for the control-plane folder, the control-plane cluster). */
  public readonly cluster: string;
  /** Whether the objects go to `control-plane/` rather than `clusters/<cluster>/`. */
  public readonly controlPlane: boolean;

  constructor(owner: Construct, id: string, props: MeshPartProps) {
    super(owner, id);
    Object.defineProperty(this, MESH_PART_SYMBOL, { value: true });
    this.cluster = props.cluster;
    this.controlPlane = props.controlPlane ?? false;
  }
}
