import { ApiObject, App, Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { CONSTRUCT_WARNING_CODES, InvalidPropsError, type ConstructWarning, type ConstructWarningDetails } from '../lib/errors';
import type { Mesh } from '../lib/model/mesh';
import { MESH_FACTS, MeshRegistry } from './mesh-registry';
import { MeshPart } from './mesh-part';

const ISTIO_MESH_SYMBOL = Symbol.for('cdk8s-istio-multicluster.IstioMesh');
/** A finding code, as `--suppress` parses it. */
const WARNING_CODE = /^[A-Z]{3}\d{4}$/;

/** Set by `MeshApp`, whose `synth()` writes the mesh's layout; a plain App's would write cdk8s's own. */
const MESH_APP_SYMBOL = Symbol.for('cdk8s-istio-multicluster.MeshApp');
const PLAIN_APP_GUARDED = Symbol.for('cdk8s-istio-multicluster.PlainAppGuarded');

/** Where an object is written: a cluster's folder, or the control-plane folder. */
export interface MeshDestination {
  /** The cluster the object is applied to (for the control-plane folder, the control-plane cluster). */
  readonly cluster: string;
  /** Whether it goes to `control-plane/` rather than `clusters/<cluster>/`. */
  readonly controlPlane: boolean;
}

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

  /** The IstioMesh a construct lives under, at any depth; throws when it was not created under one. */
  public static of(construct: IConstruct): IstioMesh {
    const mesh = nearestMesh(construct);
    if (!mesh) throw new InvalidPropsError(construct, 'scope', `${construct.node.path} must be created under an IstioMesh, at any depth (new X(mesh, 'id', ...))`);
    return mesh;
  }

  /** Whether a construct is a `MeshApp`, whose `synth()` writes the mesh's layout. */
  public static isMeshApp(x: unknown): boolean {
    return x !== null && typeof x === 'object' && MESH_APP_SYMBOL in x;
  }

  /** Marks an App as a `MeshApp` (called by its constructor). */
  public static markMeshApp(app: App): void {
    Object.defineProperty(app, MESH_APP_SYMBOL, { value: true });
  }

  public readonly model: Mesh;
  /** The chart of Istio configuration and remote secrets, applied only to the control-plane cluster. */
  public readonly controlPlaneChart: Chart;
  private readonly clusterCharts = new Map<string, Chart>();
  private readonly clusterOfChart = new Map<IConstruct, string>();
  /**
   * What the constructs of the mesh record for synthesis, fact by fact (`MESH_FACTS`): the Helm
   * install, cluster-local hosts, files beside the manifests, warnings, ...
   */
  public readonly registry = new MeshRegistry();
  /** The tree walked once, while `withOneWalk` runs. */
  private oneWalk?: { readonly constructs: readonly IConstruct[]; namespaces?: ReadonlyMap<string, ReadonlySet<string>> };

  /**
   * @param scope an App (one is created when omitted)
   */
  constructor(scope: Construct | undefined, id: string, props: IstioMeshProps) {
    super(scope ?? new App(), id);
    Object.defineProperty(this, ISTIO_MESH_SYMBOL, { value: true });
    this.model = props.mesh;
    for (const cluster of props.mesh.clusters) {
      const chart = new Chart(this, `cluster-${cluster.name}`);
      this.clusterCharts.set(cluster.name, chart);
      this.clusterOfChart.set(chart, cluster.name);
    }
    this.controlPlaneChart = new Chart(this, 'control-plane');
    refusePlainAppSynth(this);
  }

  /** The chart of everything applied to that cluster. */
  public clusterChart(clusterName: string): Chart {
    const chart = this.clusterCharts.get(clusterName);
    if (!chart) throw new Error(`Unknown cluster "${clusterName}"; the mesh has: ${[...this.clusterCharts.keys()].join(', ')}`);
    return chart;
  }

  /**
   * `owner`'s part for a cluster's folder, or for the control-plane folder when `cluster` is
   * undefined: a child of `owner`, made on first use. Throws for a cluster the mesh lacks.
   */
  public partFor(owner: IConstruct, cluster: string | undefined): MeshPart {
    const controlPlane = cluster === undefined;
    const id = controlPlane ? 'control-plane' : `cluster-${cluster}`;
    if (!controlPlane) this.clusterChart(cluster);
    const existing = owner.node.tryFindChild(id);
    if (existing !== undefined) {
      if (!MeshPart.isMeshPart(existing)) throw new Error(`${owner.node.path} has a child "${id}" that is not its MeshPart; give that child another id`);
      return existing;
    }
    return new MeshPart(owner, id, { cluster: cluster ?? this.model.controlPlane.name, controlPlane });
  }

  /**
   * `owner`'s part for the folder of a chart of this mesh (`clusterChart(...)` or
   * `controlPlaneChart`).
   * @deprecated use `MeshConstruct.partIn(cluster)` or `controlPlanePart`
   */
  public scopeFor(owner: IConstruct, chart: Chart): Construct {
    if (chart === this.controlPlaneChart) return this.partFor(owner, undefined);
    const cluster = this.clusterOfChart.get(chart);
    if (cluster === undefined) throw new Error(`${chart.node.path} is not a chart of the mesh ${this.node.path}`);
    return this.partFor(owner, cluster);
  }

  /**
   * The folder an object of this mesh is written to: that of its nearest `MeshPart` or mesh chart
   * (charts of the user's own inside them included); undefined for an object outside them.
   */
  public destinationOf(apiObject: IConstruct): MeshDestination | undefined {
    // Up the tree one scope at a time: `node.scopes` would build the path's array for every object.
    for (let scope: IConstruct | undefined = apiObject; scope !== undefined; scope = scope.node.scope) {
      if (MeshPart.isMeshPart(scope)) return nearestMesh(scope) === this ? { cluster: scope.cluster, controlPlane: scope.controlPlane } : undefined;
      if (scope === this.controlPlaneChart) return { cluster: this.model.controlPlane.name, controlPlane: true };
      const cluster = this.clusterOfChart.get(scope);
      if (cluster !== undefined) return { cluster, controlPlane: false };
      if (scope === this) return undefined;
    }
    return undefined;
  }

  /**
   * Every construct under the mesh, itself first. While `withOneWalk` runs (synthesis validates
   * the whole tree in it), one walk of the tree serves every validation that scans it.
   */
  public constructsInTree(): readonly IConstruct[] {
    return this.oneWalk?.constructs ?? this.node.findAll();
  }

  /**
   * Runs `run` (the validation of the whole tree) with the tree walked once for every check that
   * scans it, `run` included (it gets the walk, `constructsInTree()`); `run` must not add constructs.
   */
  public withOneWalk<T>(run: (constructs: readonly IConstruct[]) => T): T {
    if (this.oneWalk) return run(this.oneWalk.constructs);
    const constructs = this.node.findAll();
    this.oneWalk = { constructs };
    try {
      return run(constructs);
    } finally {
      this.oneWalk = undefined;
    }
  }

  /** Cluster name -> the names of the Namespaces written to its folder, whichever construct makes them. */
  public namespacesByCluster(): ReadonlyMap<string, ReadonlySet<string>> {
    if (this.oneWalk) return (this.oneWalk.namespaces ??= this.findNamespaces());
    return this.findNamespaces();
  }

  private findNamespaces(): Map<string, Set<string>> {
    const namespaces = new Map<string, Set<string>>(this.model.clusters.map((cluster) => [cluster.name, new Set<string>()]));
    for (const construct of this.constructsInTree()) {
      if (!ApiObject.isApiObject(construct) || construct.kind !== 'Namespace') continue;
      const destination = this.destinationOf(construct);
      if (destination !== undefined && !destination.controlPlane) namespaces.get(destination.cluster)!.add(construct.metadata.name!);
    }
    return namespaces;
  }

  /**
   * A warning reported when the mesh is synthesized, as a finding of severity `warning` beside the
   * analyzers' (synth goes on; `--strict` makes it fail, `--suppress CODE` drops it).
   */
  public addWarning(owner: IConstruct, warning: ConstructWarningDetails): void {
    if (!WARNING_CODE.test(warning.code)) throw new Error(`${owner.node.path}: warning code "${warning.code}" is not three capitals and four digits (e.g. MCL0060)`);
    this.registry.record(MESH_FACTS.warnings, { ...warning, constructPath: owner.node.path });
  }

  /** The warnings constructs raised, in the order raised, then the mesh's own. */
  public get constructWarnings(): readonly ConstructWarning[] {
    const own: ConstructWarning[] =
      this.model.isMultiNetwork && !this.registry.read(MESH_FACTS.crossNetworkExposure)
        ? [
            {
              code: CONSTRUCT_WARNING_CODES.networksWithoutEastWestGateway,
              constructPath: this.node.path,
              message:
                'clusters sit on more than one network, but no EastWestGateway exposes services across them: cross-network calls will fail ' +
                `(inventory: ${this.model.clusters.map((cluster) => `${this.model.clusterField(cluster, 'network')} is "${cluster.network}"`).join(', ')})`,
              hint: 'add an EastWestGateway, which by default exposes services across networks, or put every cluster on one network',
            },
          ]
        : [];
    return [...this.registry.read(MESH_FACTS.warnings), ...own];
  }

  /** Cluster name -> chart, in cluster order. */
  public get clusterChartsByName(): ReadonlyMap<string, Chart> {
    return this.clusterCharts;
  }
}

/**
 * A plain cdk8s App's `synth()` would write hashed `*.k8s.yaml` files, without analyzers, README or
 * kustomizations: it fails instead, saying to use a `MeshApp`. The pipeline (`MeshApp`, the CLI,
 * `MeshTesting`) does not run the App's own validation, so it is unaffected.
 */
function refusePlainAppSynth(mesh: IstioMesh): void {
  const root = mesh.node.root;
  if (!(root instanceof App) || IstioMesh.isMeshApp(root) || PLAIN_APP_GUARDED in root) return;
  Object.defineProperty(root, PLAIN_APP_GUARDED, { value: true });
  root.node.addValidation({
    validate: () => [
      `the IstioMesh ${mesh.node.path} is under a plain cdk8s App, whose synth() writes cdk8s's own layout rather than the mesh's folders; ` +
        'create it under a MeshApp (new IstioMesh(new MeshApp(), ...)), whose synth() writes them, analyzers included',
    ],
  });
}

/** The IstioMesh nearest above a construct (or the construct itself), if any. */
function nearestMesh(construct: IConstruct): IstioMesh | undefined {
  for (let scope: IConstruct | undefined = construct; scope !== undefined; scope = scope.node.scope) {
    if (IstioMesh.isIstioMesh(scope)) return scope;
  }
  return undefined;
}
