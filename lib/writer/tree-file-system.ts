import { accessSync, constants, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The file system calls by which writing an output tree changes anything (or checks that it
 * may): one seam, so that tests can make any of them fail the way a full disk, a mount point or
 * a write-protected folder makes it fail, which root (who ignores permission bits) cannot
 * provoke for real.
 */
export interface TreeFileSystem {
  /** Creates a folder (and, when `recursive`, its parents). */
  readonly mkdir: (path: string, recursive: boolean) => void;
  /** Creates a file that must not exist yet, with this content. */
  readonly createFile: (path: string, content: string) => void;
  /** Gives an existing file a second name; fails when that name exists. */
  readonly link: (existing: string, created: string) => void;
  readonly rename: (from: string, to: string) => void;
  /** Removes a file or a whole folder; a path that does not exist is no error. */
  readonly remove: (path: string) => void;
  /** Fails unless this process may create and remove entries in the folder. */
  readonly assertWritableFolder: (path: string) => void;
}

export const NODE_FILE_SYSTEM: TreeFileSystem = {
  mkdir: (path, recursive) => mkdirSync(path, { recursive }),
  createFile: (path, content) => writeFileSync(path, content, { flag: 'wx' }),
  link: (existing, created) => linkSync(existing, created),
  rename: (from, to) => renameSync(from, to),
  remove: (path) => rmSync(path, { recursive: true, force: true }),
  assertWritableFolder: (path) => accessSync(path, constants.W_OK | constants.X_OK),
};
