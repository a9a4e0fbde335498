import { App } from 'cdk8s';
import { IstioMesh } from '../../constructs/istio-mesh';
import { formatFinding } from '../analyzers/finding';
import { writeMesh, type MeshOutput, type MeshOutputOptions } from './synth-output';

/** Props of `MeshApp`. */
export interface MeshAppProps extends MeshOutputOptions {
  /**
   * The folder `synth()` writes the mesh to.
   * @default - $CDK8S_OUTDIR (what `cdk8s synth` sets), else `dist`
   */
  readonly outdir?: string;
}

/**
 * The cdk8s App of a mesh: its `synth()` writes exactly what the CLI writes (a folder per
 * cluster, `control-plane/`, `install/`, kustomizations, `README.md`, `gitops/` when asked), after
 * the analyzers pass, so `app.synth()` and `cdk8s synth` give the CLI's layout. Create the
 * `IstioMesh` under it. A plain cdk8s App holding an IstioMesh refuses to synthesize instead.
 */
export class MeshApp extends App {
  private readonly outputOptions: MeshOutputOptions;

  constructor(props: MeshAppProps = {}) {
    super({ outdir: props.outdir });
    IstioMesh.markMeshApp(this);
    this.outputOptions = { gitops: props.gitops, strict: props.strict, suppress: props.suppress };
  }

  /**
   * Synthesizes the app's one IstioMesh and writes it to `outdir`; prints the findings, the
   * analyzers' and the constructs' warnings alike, to stderr, one line each as the CLI does.
   * Throws, listing every problem, without touching `outdir` when the analyzers find errors (or,
   * when strict, anything warns).
   */
  public synth(): void {
    for (const finding of this.synthMesh().findings) process.stderr.write(`${finding.severity} ${formatFinding(finding)}\n`);
  }

  /** `synth()` without printing: what was written, for programs that report it themselves. */
  public synthMesh(): MeshOutput {
    const meshes = this.node.findAll().filter(IstioMesh.isIstioMesh);
    if (meshes.length !== 1) {
      throw new Error(`A MeshApp synthesizes one IstioMesh, and this one holds ${meshes.length}${meshes.length > 0 ? `: ${meshes.map((mesh) => mesh.node.path).join(', ')}` : ''}`);
    }
    return writeMesh(meshes[0], this.outdir, this.outputOptions);
  }
}
