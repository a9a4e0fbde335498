import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who a process is, beyond its PID: a PID means one process only inside one PID namespace (a
 * container has its own, where node is often PID 1) and only while that process lives (PIDs are
 * reused). On Linux, `/proc` tells the rest (proc(5)): the PID namespace (`/proc/self/ns/pid`,
 * `pid:[<inode>]`), the time the process started (field 22 of `/proc/<pid>/stat`, in clock ticks
 * since boot) and the boot (`/proc/sys/kernel/random/boot_id`, which changes on every boot and is
 * the same in every container of one kernel). Where `/proc` is missing those fields are undefined.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** `pid:[<inode>]` of the process's PID namespace. */
  readonly pidNamespace?: string;
  /** When the process started, in clock ticks since boot: another process that gets the PID later has another. */
  readonly processStart?: string;
  /** The kernel's boot ID: namespace inodes and start times only compare within one boot. */
  readonly bootId?: string;
  readonly hostname: string;
}

/** This process's identity. */
export function currentProcessIdentity(): ProcessIdentity {
  return {
    pid: process.pid,
    pidNamespace: readOrUndefined(() => readlinkSync('/proc/self/ns/pid')),
    processStart: processStartTime(process.pid),
    bootId: readOrUndefined(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    hostname: hostname(),
  };
}

/**
 * When the process with this PID (in this process's PID namespace) started, or undefined when no
 * such process exists or `/proc` is missing. The command name in `/proc/<pid>/stat` is in
 * parentheses and may hold spaces and parentheses itself, so the fields are counted after the last `)`.
 */
export function processStartTime(pid: number): string | undefined {
  const stat = readOrUndefined(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (stat === undefined) return undefined;
  // After "pid (comm)": field 3 (state) is the first; the start time is field 22.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
}

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
