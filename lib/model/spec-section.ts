import type { MeshSpec } from './mesh-spec';
import type { ValidationIssue } from './mesh-validation-error';

/**
 * A top-level section of a spec that a layer above the model reads, such as an application
 * preset's (`bookinfo:`): its shape and its rules. `validateMeshSpec` checks it with the rest of
 * the spec, so every problem of the whole inventory is still reported at once.
 */
export interface SpecSection {
  /** The key of the section at the spec's root, such as `bookinfo`. */
  readonly key: string;
  /** The JSON Schema of the section's shape. */
  readonly schema: Readonly<Record<string, unknown>>;
  /**
   * The rules on the section's values, run when it is an object (its shape issues are reported
   * apart; a rule skips a value of the wrong type).
   */
  readonly validate: (section: Readonly<Record<string, unknown>>, context: SectionContext) => ValidationIssue[];
}

/** What a section's rules read of the rest of the spec. */
export interface SectionContext {
  /** The whole spec; its parts are well shaped only where the shape check says so. */
  readonly spec: MeshSpec;
  /** The names of the spec's clusters. */
  readonly clusterNames: readonly string[];
  /** Whether the clusters, `mesh.locality` and every section are well shaped, so that locality policies can be read as typed. */
  readonly localityShaped: boolean;
}

/** The value when it is a string; the rules skip values of the wrong type (the shape check reports them). */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value when it is a plain object. */
export function fields(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
