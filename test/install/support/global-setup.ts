/**
 * Global setup of the install suite: builds (or reuses) etcd, kube-apiserver and
 * kube-controller-manager at the versions tools/go.mod pins, and hands their folder to the test
 * workers through the environment they inherit.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { TOOLS_DIR_VARIABLE } from './tools';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export default function buildTools(): void {
  try {
    const output = execFileSync('bash', ['scripts/build-tools.sh'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    process.env[TOOLS_DIR_VARIABLE] = output.trim().split('\n').at(-1);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building the Kubernetes tools (scripts/build-tools.sh) failed, so the install suite cannot run:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
