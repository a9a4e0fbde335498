import { randomBytes } from 'node:crypto';
import { errorCode } from '../io/file-system-errors';
import { currentProcessIdentity, processStartTime, type ProcessIdentity } from '../io/process-identity';
import { readRegularFile } from '../io/read-regular-file';
import type { TreeFileSystem } from './tree-file-system';

const LOCK_TOOL = 'cdk8s-istio-multicluster';
/** A lock file is one short JSON line; anything longer is not one. */
const MAX_LOCK_BYTES = 4096;
/** Codes of a file system that has no hard links (some FUSE and FAT volumes): the lock is then created in place. */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);
/** Attempts to take the lock: each one after the first follows the removal of a stale lock, or a lost race. */
const ATTEMPTS = 3;

/** What a lock file holds: who took it, beyond a PID, and a nonce that tells this lock from any later one. */
interface LockRecord extends ProcessIdentity {
  readonly tool: string;
  readonly nonce: string;
  /** When it was taken (ISO 8601), for the person who must decide whether it is stale. */
  readonly taken: string;
}

/** Where the lock and the files used while taking it live: all beside the output folder. */
export interface LockPaths {
  /** `.<out>.lock`. */
  readonly lock: string;
  /** A fresh `.<out>.lock-<random>` name: a lock is written there whole, then linked to `lock`. */
  readonly candidate: () => string;
}

/** A lock this process holds. */
export interface OutputLock {
  /** Removes the lock if it is still this one's (never another synth's). */
  readonly release: () => void;
}

/**
 * Takes the lock that serializes synths into one output folder. The lock file names its holder
 * by PID, PID namespace, process start time, boot and host (see `ProcessIdentity`), and is
 * written whole before it gets its name (a hard link, which fails when the name exists), so no
 * reader ever sees half a lock. A lock left behind is taken over only when its holder is known to
 * be gone: same boot and same PID namespace, and no process with that PID and start time (so a
 * lock naming this process's own PID, left by an earlier process that had it, is stale). A lock
 * from another PID namespace, another boot or host, or in an unknown format is refused with the
 * way out, since no process here can tell whether its holder still runs.
 */
export function acquireOutputLock(target: string, paths: LockPaths, fs: TreeFileSystem): OutputLock {
  const self = currentProcessIdentity();
  const record: LockRecord = { tool: LOCK_TOOL, nonce: randomBytes(8).toString('hex'), ...self, taken: new Date().toISOString() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (tryToCreate(paths, `${JSON.stringify(record)}\n`, fs)) return { release: () => release(paths.lock, record.nonce, fs) };
    const holder = readLock(paths.lock);
    if (holder === 'gone') continue;
    const unknowable = whyLivenessIsUnknown(holder, self);
    if (unknowable !== undefined) {
      const who = holder === undefined ? '' : ` (process ${holder.pid} on host ${JSON.stringify(holder.hostname)}, since ${holder.taken})`;
      throw new Error(
        `Cannot tell whether the synth that holds the lock ${paths.lock}${who} is still running: ${unknowable}. ` +
          `If no synth is writing ${target} any more, remove ${paths.lock} and run again`,
      );
    }
    if (isRunning(holder!, self)) {
      throw new Error(`Another synth (process ${holder!.pid}) is writing ${target}; run again when it has finished (its lock is ${paths.lock})`);
    }
    removeStaleLock(paths, holder!.nonce, fs);
  }
  throw new Error(`Cannot lock ${target}: other synths took ${paths.lock} first; run again when they have finished`);
}

/** Creates the lock whole; false when another one holds the name. */
function tryToCreate(paths: LockPaths, content: string, fs: TreeFileSystem): boolean {
  const candidate = paths.candidate();
  fs.createFile(candidate, content);
  try {
    fs.link(candidate, paths.lock);
    return true;
  } catch (error) {
    const code = errorCode(error);
    // ENOENT: the holder's recovery removed the candidate as a leftover; read who holds the lock.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
    try {
      fs.createFile(paths.lock, content);
      return true;
    } catch (inPlace) {
      if (errorCode(inPlace) === 'EEXIST') return false;
      throw inPlace;
    }
  } finally {
    fs.remove(candidate);
  }
}

/** The lock's record; 'gone' when there is no lock any more; undefined when the file is not a lock this version writes. */
function readLock(lock: string): LockRecord | 'gone' | undefined {
  let text: string;
  try {
    text = readRegularFile(lock, MAX_LOCK_BYTES);
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? 'gone' : undefined;
  }
  let value: Partial<Record<keyof LockRecord, unknown>>;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || value.tool !== LOCK_TOOL) return undefined;
  const optional = (field: unknown) => field === undefined || typeof field === 'string';
  const valid =
    typeof value.nonce === 'string' &&
    /^[0-9a-f]{16}$/.test(value.nonce) &&
    Number.isSafeInteger(value.pid) &&
    (value.pid as number) > 0 &&
    typeof value.hostname === 'string' &&
    typeof value.taken === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value.taken) &&
    optional(value.pidNamespace) &&
    optional(value.processStart) &&
    optional(value.bootId);
  return valid ? (value as LockRecord) : undefined;
}

/** Why no process here can tell whether the holder still runs; undefined when it can. */
function whyLivenessIsUnknown(holder: LockRecord | undefined, self: ProcessIdentity): string | undefined {
  if (holder === undefined) {
    return 'it is not a lock this version of the tool writes (an earlier one wrote the process ID alone, which cannot tell a process of another container from one here)';
  }
  if (holder.bootId !== self.bootId || (holder.bootId === undefined && holder.hostname !== self.hostname)) {
    return 'it was taken on another machine, or before this machine last started';
  }
  if (holder.pidNamespace !== self.pidNamespace) {
    return `it was taken in another PID namespace (${JSON.stringify(holder.pidNamespace ?? 'unknown')}: another container, or the host), whose processes cannot be seen from here`;
  }
  return undefined;
}

/** Whether the holder, in this PID namespace and boot, still runs: its PID names a process that started when it did. */
function isRunning(holder: LockRecord, self: ProcessIdentity): boolean {
  if (holder.processStart !== undefined && self.processStart !== undefined) return processStartTime(holder.pid) === holder.processStart;
  // No /proc (not Linux): a live PID is all there is to go by.
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Removes a stale lock by moving it aside first, so that of two synths that both found it stale
 * only one removes it; if what was moved is no longer the stale lock (a live synth took the name
 * in between), it is put back.
 */
function removeStaleLock(paths: LockPaths, staleNonce: string, fs: TreeFileSystem): void {
  const aside = paths.candidate();
  try {
    fs.rename(paths.lock, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  const moved = readLock(aside);
  if (moved !== 'gone' && moved?.nonce !== staleNonce) {
    try {
      fs.link(aside, paths.lock);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  fs.remove(aside);
}

function release(lock: string, nonce: string, fs: TreeFileSystem): void {
  const holder = readLock(lock);
  if (holder === 'gone' || holder?.nonce !== nonce) return;
  // A lock that cannot be removed is left behind: the next synth finds its holder gone and takes it over.
  try {
    fs.remove(lock);
  } catch {
    return;
  }
}
