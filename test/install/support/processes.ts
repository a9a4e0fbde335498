/**
 * Install-suite support: long-running child processes (etcd, kube-apiserver,
 * kube-controller-manager) that never outlive the test worker that started them.
 *
 * Each program runs in a process group of its own under a small shell watchdog: the watchdog
 * ends the program when the worker's process disappears, even by SIGKILL, where no handler of
 * ours runs. While the worker lives, `stop()` (from afterAll), the worker's `exit` and its
 * SIGINT/SIGTERM (Ctrl-C) end every group it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** One program started by `startProcess`. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Where its stdout and stderr go: read on failure. */
  readonly logFile: string;
  /** Resident memory of the program (not its watchdog), in bytes, read from /proc. */
  rssBytes(): number;
  /** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

/**
 * Every HTTP(S) and gRPC connection a program makes to anything but loopback goes through a proxy
 * at a closed loopback port, so it fails at once instead of leaving the machine: an API server
 * calls the webhooks the charts register (istiod's injector and validator) at their Service's
 * ClusterIP, where no istiod runs. Go never proxies loopback addresses, so the programs still
 * reach each other.
 */
const LOOPBACK_ONLY = { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost', https_proxy: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', no_proxy: '127.0.0.1,localhost' };

// Ends the program when the worker (its watchdog's parent, $1) is gone or the program exits.
const WATCHDOG = [
  'parent=$1; shift',
  '"$@" & child=$!',
  'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT',
  'while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done',
  'kill -TERM "$child" 2>/dev/null',
  'wait "$child"',
].join('\n');

let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.kill(process.pid, signal);
    });
  }
}

/** SIGKILL to every group still running: the synchronous last resort at exit or on a signal. */
function killAllNow(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

/** Starts `command` with `args`, its output appended to `logFile`. */
export function startProcess(name: string, command: string, args: readonly string[], logFile: string): ManagedProcess {
  installHandlers();
  const log = openSync(logFile, 'a');
  const child = spawn('bash', ['-c', WATCHDOG, 'watchdog', String(process.pid), command, ...args], {
    detached: true,
    env: { ...process.env, ...LOOPBACK_ONLY },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${name} (${command}) could not be started`);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));
  const groupId = child.pid;
  return {
    name,
    pid: groupId,
    logFile,
    rssBytes: () => programRss(groupId),
    async stop(graceMs = 10_000) {
      if (!running.has(child)) return;
      signalGroup(groupId, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(groupId, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The watchdog waits for the program, but a program's own children may linger in the group.
      signalGroup(groupId, 'SIGKILL');
    },
  };
}

function signalGroup(groupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-groupId, signal);
  } catch {
    // The group is gone already.
  }
}

/** VmRSS of the watchdog's child, the program itself. */
function programRss(watchdogPid: number): number {
  try {
    const children = readFileSync(`/proc/${watchdogPid}/task/${watchdogPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    let total = 0;
    for (const pid of children) {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    }
    return total;
  } catch {
    return 0;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The last `lines` lines of a log file, for a failure message. */
export function logTail(logFile: string, lines = 40): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
