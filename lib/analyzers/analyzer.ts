import type { Finding } from './finding';
import type { MeshIndex } from './mesh-index';

/** One check over the whole mesh. */
export interface Analyzer {
  /** The codes its findings carry. */
  readonly codes: readonly string[];
  /** What it checks, for listings and debugging. */
  readonly name: string;
  /** Must stay linear in the mesh size: answer questions through the index, never by nested scans. */
  analyze(index: MeshIndex): Finding[];
}
