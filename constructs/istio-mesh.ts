import { App, Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import type { Mesh } from '../lib/model/mesh';

const ISTIO_MESH_SYMBOL = Symbol.for('cdk8s-istio-multicluster.IstioMesh');

/** Props of `IstioMesh`. */
export interface IstioMeshProps {
  /** The mesh model every construct below derives its names, labels and addresses from. */
  readonly mesh: Mesh;
}

/**
 * The root of a multicluster mesh: one chart per cluster plus one control-plane chart. The
 * multicluster constructs are created under it and place each object in the chart of the
 * cluster it must be applied to.
 */
export class IstioMesh extends Construct {
  /** Whether the construct is an IstioMesh (works across duplicated copies of this package). */
  public static isIstioMesh(x: unknown): x is IstioMesh {
    return x !== null && typeof x === 'object' && ISTIO_MESH_SYMBOL in x;
  }

  /** The IstioMesh a construct lives under; throws when it was not created under one. */
  public static of(construct: IConstruct): IstioMesh {
    const mesh = construct.node.scopes.slice().reverse().find(IstioMesh.isIstioMesh);
    if (!mesh) throw new Error(`${construct.node.path} must be created under an IstioMesh (new X(mesh, 'id', ...))`);
    return mesh;
  }

  public readonly model: Mesh;
  /** The chart of Istio configuration and remote secrets, applied only to the control-plane cluster. */
  public readonly controlPlaneChart: Chart;
  private readonly clusterCharts = new Map<string, Chart>();
  private readonly extraFiles = new Map<string, string | (() => string)>();
  private readonly clusterLocal = new Set<string>();
  private readonly warningList: string[] = [];
  private crossNetworkExposed = false;

  /**
   * @param scope an App (one is created when omitted)
   */
  constructor(scope: Construct | undefined, id: string, props: IstioMeshProps) {
    super(scope ?? new App(), id);
    Object.defineProperty(this, ISTIO_MESH_SYMBOL, { value: true });
    this.model = props.mesh;
    for (const cluster of props.mesh.clusters) {
      this.clusterCharts.set(cluster.name, new Chart(this, `cluster-${cluster.name}`));
    }
    this.controlPlaneChart = new Chart(this, 'control-plane');
  }

  /** Records that services are exposed across networks (an `EastWestGateway` does it). */
  public exposeServicesAcrossNetworks(): void {
    this.crossNetworkExposed = true;
  }

  /** The chart of everything applied to that cluster. */
  public clusterChart(clusterName: string): Chart {
    const chart = this.clusterCharts.get(clusterName);
    if (!chart) throw new Error(`Unknown cluster "${clusterName}"; the mesh has: ${[...this.clusterCharts.keys()].join(', ')}`);
    return chart;
  }

  /**
   * A scope for `owner`'s objects in a cluster's chart (or the control-plane chart), named after
   * the owner's path so that two constructs never collide.
   */
  public scopeFor(owner: IConstruct, chart: Chart): Construct {
    const id = owner.node.path.replace(/\//g, '.');
    return (chart.node.tryFindChild(id) as Construct | undefined) ?? new Construct(chart, id);
  }

  /**
   * A file written beside the manifests (e.g. install values); the path is relative to the output
   * root. Content given as a function is rendered at synthesis, once every construct is in place.
   */
  public addFile(relativePath: string, content: string | (() => string)): void {
    if (this.extraFiles.has(relativePath)) throw new Error(`File "${relativePath}" is already emitted by this mesh`);
    this.extraFiles.set(relativePath, content);
  }

  /** Keeps services inside each cluster: MeshConfig `serviceSettings` hosts (`name.ns.svc.cluster.local`, `*.ns.svc.cluster.local`). */
  public addClusterLocalHosts(hosts: readonly string[]): void {
    for (const host of hosts) this.clusterLocal.add(host);
  }

  /** The cluster-local hosts constructs registered, sorted. */
  public get clusterLocalHosts(): readonly string[] {
    return [...this.clusterLocal].sort();
  }

  /** A warning shown when the mesh is synthesized (synth goes on; `--strict` makes it fail). */
  public addWarning(owner: IConstruct, message: string): void {
    this.warningList.push(`[${owner.node.path}] ${message}`);
  }

  /** The warnings constructs raised, in the order raised, then the mesh's own. */
  public get warnings(): readonly string[] {
    const own =
      this.model.isMultiNetwork && !this.crossNetworkExposed
        ? [`[${this.node.path}] clusters sit on more than one network, but no EastWestGateway exposes services across them: cross-network calls will fail`]
        : [];
    return [...this.warningList, ...own];
  }

  /** The extra files, sorted by path. */
  public get files(): ReadonlyMap<string, string> {
    return new Map(
      [...this.extraFiles]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([path, content]) => [path, typeof content === 'string' ? content : content()]),
    );
  }

  /** Cluster name -> chart, in cluster order. */
  public get clusterChartsByName(): ReadonlyMap<string, Chart> {
    return this.clusterCharts;
  }
}
