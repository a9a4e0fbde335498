import { printable } from './printable';

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

  /**
   * @param issues the problems; their paths and messages, which repeat input (keys, values), are
   * kept escaped (see `printable`), so printing them can neither drive a terminal nor start a line
   */
  constructor(issues: readonly ValidationIssue[], source?: string) {
    const where = printable(source ?? 'mesh spec');
    const escaped = issues.map((issue) => ({ path: printable(issue.path), message: printable(issue.message) }));
    const lines = escaped.map((issue) => `  - ${where}: ${issue.path}: ${issue.message}`);
    super(`Invalid mesh specification (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'MeshValidationError';
    this.source = source;
    this.issues = escaped;
  }
}
