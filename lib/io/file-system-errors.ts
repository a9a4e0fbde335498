/**
 * What a failed file system call means, in words a user can act on: the CLI never prints Node's
 * raw `EACCES: permission denied, rename 'a' -> 'b'`. Codes are those of errno(3) as Node reports
 * them in `error.code`.
 */
const WORDS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted (a protected or immutable entry)',
  EBUSY: 'it is in use or is a mount point',
  EXDEV: 'it is a mount point (another file system or volume)',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the folder is not empty',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'it runs through too many symlinks',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EIO: 'the device reported an input/output error',
  EPIPE: 'the reading end was closed',
};

/** The error code of a failed system call, or undefined for any other error. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why a file system call failed, in words; an error that is not a system call's keeps its message. */
export function fileSystemErrorWords(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return WORDS[code] ?? `the system refused it (${code})`;
  return error instanceof Error ? error.message : String(error);
}
