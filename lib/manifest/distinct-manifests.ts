import type { Manifest } from './mesh-manifests';
import { toYaml } from './yaml';

/** How many distinct objects of one kind, namespace and name are kept to compare with (bounds the comparisons per object). */
const VARIANTS_PER_OBJECT = 4;

/**
 * The objects of a mesh that are equal to an earlier one. A multicluster mesh repeats the same
 * object in many cluster folders (a Service in every cluster that calls it, a remote's reader RBAC,
 * a gateway's workload): at 50 clusters about half the objects are copies. What depends only on an
 * object's data, its YAML and its schema problems, is then worked out once per distinct object.
 * One instance serves one run over manifests that do not change during it: a synth makes one and
 * hands it to the analyzers, the README and the renderer, so each object is compared once.
 */
export class DistinctManifests {
  private readonly variants = new Map<string, Manifest[]>();
  private readonly firstEqual = new Map<Manifest, Manifest>();
  private readonly yaml = this.memo<string>();

  /** The object's YAML as its file holds it (`toYaml`), rendered once per distinct object for every stage that reads it. */
  public yamlOf(manifest: Manifest): string {
    return this.yaml(manifest, toYaml);
  }

  /** The first object seen that is equal to `manifest`: itself, unless an equal one came before. */
  public representativeOf(manifest: Manifest): Manifest {
    const known = this.firstEqual.get(manifest);
    if (known) return known;
    const { namespace, name } = manifest.metadata;
    const identity = `${manifest.kind}\u0000${namespace ?? ''}\u0000${name}`;
    const earlier = this.variants.get(identity);
    const representative = earlier?.find((variant) => sameData(variant, manifest)) ?? manifest;
    if (representative === manifest) {
      if (!earlier) this.variants.set(identity, [manifest]);
      else if (earlier.length < VARIANTS_PER_OBJECT) earlier.push(manifest);
    }
    this.firstEqual.set(manifest, representative);
    return representative;
  }

  /** `compute` of the object's representative, computed once per distinct object. */
  public memo<T>(): (manifest: Manifest, compute: (manifest: Manifest) => T) => T {
    const results = new Map<Manifest, T>();
    return (manifest, compute) => {
      const representative = this.representativeOf(manifest);
      if (results.has(representative)) return results.get(representative)!;
      const result = compute(representative);
      results.set(representative, result);
      return result;
    };
  }
}

/**
 * Equal as js-yaml dumps them and as a schema sees them: the same keys in the same order and the
 * same values (`Object.is`, so -0 and 0, NaN and null differ). Only plain objects and arrays are
 * compared; anything else counts as different.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!sameData(a[index], b[index])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const keysOfA = Object.keys(a);
  const keysOfB = Object.keys(b);
  if (keysOfA.length !== keysOfB.length) return false;
  for (let index = 0; index < keysOfA.length; index++) {
    const key = keysOfA[index];
    if (key !== keysOfB[index] || !sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}
