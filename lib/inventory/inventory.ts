import { BOOKINFO_SECTION, resolveBookinfo, type Bookinfo, type BookinfoSpec } from '../../constructs/presets/bookinfo/bookinfo-spec';
import { Mesh, type MeshFromSpecOptions } from '../model/mesh';
import type { MeshSpec } from '../model/mesh-spec';
import type { SpecSection } from '../model/spec-section';
import { specSchema } from '../model/validate-mesh';

/** An inventory's content: the mesh's spec and the presets deployed across it. */
export interface InventorySpec extends MeshSpec {
  /**
   * Deploy the Bookinfo demo across the mesh.
   * @default - no Bookinfo
   */
  readonly bookinfo?: BookinfoSpec;
}

/** Options of `Inventory.fromSpec` and `Inventory.fromUnknown`. */
export type InventoryOptions = Omit<MeshFromSpecOptions, 'sections'>;

/** The sections of an inventory beyond the model's, checked with the mesh's spec. */
const PRESET_SECTIONS: readonly SpecSection[] = [BOOKINFO_SECTION];

/** Where the package ships the inventory's JSON Schema (`npm run generate:schemas` writes it). */
export const INVENTORY_SCHEMA_FILE = ['schemas', 'inventory.schema.json'] as const;

/**
 * The JSON Schema (draft-07) of an inventory file, for editors: the one the inventory is checked
 * with (the model's and the presets' sections), shape only; the rules on values are not in it.
 */
export function inventoryJsonSchema(): Readonly<Record<string, unknown>> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'cdk8s-istio-multicluster inventory',
    description: 'One Istio mesh (primary-remote) over several clusters: the mesh settings, the clusters and the presets. Shape only: synth and validate check the values.',
    ...specSchema(PRESET_SECTIONS),
  };
}

/**
 * A validated inventory: the mesh model, and the presets its sections ask for with their defaults
 * applied. The model knows no preset; this is where an inventory's `bookinfo:` is read.
 */
export class Inventory {
  /** Validates an `InventorySpec` written in code; throws `MeshValidationError` listing every issue. */
  public static fromSpec(spec: InventorySpec, options: InventoryOptions = {}): Inventory {
    return Inventory.fromUnknown(spec, options);
  }

  /**
   * Validates a value of unknown shape (such as an inventory file's content), the mesh and every
   * preset section at once; throws `MeshValidationError` listing every issue.
   */
  public static fromUnknown(value: unknown, options: InventoryOptions = {}): Inventory {
    const mesh = Mesh.fromUnknown(value, { ...options, sections: PRESET_SECTIONS });
    const bookinfo = (value as InventorySpec).bookinfo;
    return new Inventory(mesh, bookinfo && resolveBookinfo(bookinfo, mesh));
  }

  private constructor(
    /** The mesh model. */
    public readonly mesh: Mesh,
    /** The Bookinfo demo, when the inventory deploys it. */
    public readonly bookinfo?: Bookinfo,
  ) {
    Object.freeze(this);
  }
}
