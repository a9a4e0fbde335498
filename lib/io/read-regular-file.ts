import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The largest file read as input (an inventory, a manifest of an output tree): far above any real one. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Reads a UTF-8 text file that must be a regular file of at most `maxBytes` bytes. A FIFO, a
 * device (`/dev/zero`), a socket or a folder is refused without blocking on it or reading it: the
 * file is opened non-blocking and checked with fstat before any byte is read. Throws an Error
 * naming the file and what was wrong. With `followSymlink: false` a symlink is not opened
 * (O_NOFOLLOW), so a link swapped in after its folder was listed is refused, not followed.
 */
export function readRegularFile(file: string, maxBytes = MAX_INPUT_BYTES, options: { readonly followSymlink?: boolean } = {}): string {
  const noFollow = options.followSymlink === false ? constants.O_NOFOLLOW : 0;
  // Node's own error names the file: ENOENT: no such file or directory, open 'FILE'.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | noFollow);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a regular file (${fileKind(stat)}); only regular files are read`);
    if (stat.size > maxBytes) throw new Error(`${file} is ${stat.size} bytes, over the limit of ${maxBytes} bytes`);
    // One byte more than fstat announced: a file that grows while it is read is noticed, not read on.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      read = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > stat.size) throw new Error(`${file} grew while being read; read it again once it is written`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

function fileKind(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
