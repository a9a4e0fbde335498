import type { ConstructWarning } from '../lib/errors';
import { compareText } from '../lib/manifest/compare-text';
import type { Trust } from '../lib/model/trust';

/**
 * One kind of fact the constructs of a mesh record on it for synthesis to read (the Helm install,
 * the cluster-local hosts, ...): a new kind of fact is a new value of `MESH_FACTS`, not a new
 * setter on `IstioMesh`.
 */
export interface MeshFact<T, R> {
  /**
   * The key a value is recorded under, once only: recording a second value of one key throws
   * `duplicate(value)`. Undefined: any number of values.
   */
  readonly keyOf?: (value: T) => string;
  readonly duplicate?: (value: T) => string;
  /** What the fact reads, from the values recorded, in the order recorded. */
  readonly read: (values: readonly T[]) => R;
}

/** How Istio is installed from the values files under `install/`. */
export interface HelmInstall {
  /** The chart version every `helm upgrade --install` pins with `--version`. */
  readonly chartVersion: string;
}

/** A file written beside the manifests; its content given as a function is rendered at synthesis. */
export interface MeshFile {
  /** Relative to the output root. */
  readonly path: string;
  readonly content: string | (() => string);
}

/** The facts this library's constructs record. */
export const MESH_FACTS = {
  /** Istio is installed with Helm from `install/` (`InstallValues`): the writer adds `install/README.md`. Once per mesh. */
  helmInstall: {
    keyOf: () => 'helm',
    duplicate: () => 'The mesh already has Helm install values',
    read: (values: readonly HelmInstall[]): HelmInstall | undefined => values[0],
  } satisfies MeshFact<HelmInstall, HelmInstall | undefined>,
  /** Hosts kept inside each cluster (MeshConfig `serviceSettings`), sorted, each once. */
  clusterLocalHosts: {
    read: (values: readonly string[]): readonly string[] => [...new Set(values)].sort(),
  } satisfies MeshFact<string, readonly string[]>,
  /** Services are exposed across networks (an `EastWestGateway` does it). */
  crossNetworkExposure: {
    read: (values: readonly true[]): boolean => values.length > 0,
  } satisfies MeshFact<true, boolean>,
  /** The trust chain a `MeshTrust` was given in its props, which istiod's values then follow (else the model's `mesh.trust`). Once per mesh. */
  trust: {
    keyOf: () => 'trust',
    duplicate: () => 'The mesh already has a trust chain from a MeshTrust',
    read: (values: readonly Trust[]): Trust | undefined => values[0],
  } satisfies MeshFact<Trust, Trust | undefined>,
  /** The warnings constructs raise, in the order raised. */
  warnings: {
    read: (values: readonly ConstructWarning[]): readonly ConstructWarning[] => values,
  } satisfies MeshFact<ConstructWarning, readonly ConstructWarning[]>,
  /** Files beside the manifests, by path (each path once), sorted; content functions rendered when read. */
  files: {
    keyOf: (file: MeshFile) => file.path,
    duplicate: (file: MeshFile) => `File "${file.path}" is already emitted by this mesh`,
    read: (values: readonly MeshFile[]): ReadonlyMap<string, string> =>
      new Map(
        [...values]
          .sort((a, b) => compareText(a.path, b.path))
          .map((file) => [file.path, typeof file.content === 'string' ? file.content : file.content()]),
      ),
  } satisfies MeshFact<MeshFile, ReadonlyMap<string, string>>,
} as const;

/**
 * What the constructs of one mesh have recorded, fact by fact (`MESH_FACTS`): the one place
 * `IstioMesh` keeps what its constructs tell synthesis.
 */
export class MeshRegistry {
  private readonly values = new Map<MeshFact<never, unknown>, unknown[]>();
  private readonly keys = new Map<MeshFact<never, unknown>, Set<string>>();

  /** Records a value of a fact; throws when the fact takes its key once and has it already. */
  public record<T>(fact: MeshFact<T, unknown>, value: T): void {
    const key = fact.keyOf?.(value);
    if (key !== undefined) {
      const taken = this.keys.get(fact) ?? new Set<string>();
      if (taken.has(key)) throw new Error(fact.duplicate?.(value) ?? `"${key}" is already recorded on this mesh`);
      taken.add(key);
      this.keys.set(fact, taken);
    }
    const values = this.values.get(fact) ?? [];
    values.push(value);
    this.values.set(fact, values);
  }

  /** What a fact reads from the values recorded so far. */
  public read<T, R>(fact: MeshFact<T, R>): R {
    return fact.read((this.values.get(fact) ?? []) as T[]);
  }
}
