/** One problem in a mesh specification, at a field path such as `clusters[1].name`. */
export interface ValidationIssue {
  /** The field path, `(root)` for the whole document. */
  readonly path: string;
  /** What is wrong and what is expected. */
  readonly message: string;
}

/** Thrown when an inventory or MeshSpec is invalid; carries every problem found, not only the first. */
export class MeshValidationError extends Error {
  /** The file the specification came from, when it came from one. */
  public readonly source?: string;
  public readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], source?: string) {
    const where = source ?? 'mesh spec';
    const lines = issues.map((issue) => `  - ${where}: ${issue.path}: ${issue.message}`);
    super(`Invalid mesh specification (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'MeshValidationError';
    this.source = source;
    this.issues = issues;
  }
}
