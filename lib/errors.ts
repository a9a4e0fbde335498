import type { IConstruct } from 'constructs';

/**
 * Every error a user can cause, in one place, so that callers (the CLI first) tell a user's
 * mistake from a defect by its type: `MeshValidationError` for an inventory or `MeshSpec`,
 * `InvalidPropsError` for a construct's props. Any other error is a defect.
 */
export { MeshValidationError, type ValidationIssue } from './model/mesh-validation-error';

/** Thrown by a construct whose props are invalid; names the construct's path and the prop. */
export class InvalidPropsError extends Error {
  /** The path of the construct in the construct tree, e.g. `mesh/bookinfo-gateway`. */
  public readonly constructPath: string;
  /** The prop at fault, e.g. `hosts` or `clusters[1]`. */
  public readonly prop: string;

  /**
   * @param construct the construct whose props are invalid
   * @param prop the prop at fault
   * @param message what is wrong with it and what is expected
   */
  constructor(construct: IConstruct, prop: string, message: string) {
    super(`[${construct.node.path}] ${message}`);
    this.name = 'InvalidPropsError';
    this.constructPath = construct.node.path;
    this.prop = prop;
  }
}

/**
 * A warning a construct raises while building its objects (synthesis goes on; `--strict` makes it
 * fail). It is reported with the analyzers' findings, in the same stream.
 */
export interface ConstructWarning {
  /** The path of the construct that raised it. */
  readonly constructPath: string;
  /** The cluster it concerns, when it concerns one. */
  readonly cluster?: string;
  /** What is wrong, and what to do about it. */
  readonly message: string;
}

/**
 * Runs a model rule on one prop (a DNS label, a cluster name): the plain Error the model throws
 * becomes an `InvalidPropsError` naming the construct and the prop.
 */
export function checkProp<T>(construct: IConstruct, prop: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof Error && !(error instanceof InvalidPropsError)) throw new InvalidPropsError(construct, prop, error.message);
    throw error;
  }
}
