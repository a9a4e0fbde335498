/**
 * `tokens` through the real bin and the real kubectl, against a fake Kubernetes API server on
 * 127.0.0.1 (plain HTTP) that serves each remote's reader token Secret under its own path. The bin
 * stays a child process here: `tokens` waits for kubectl synchronously, which in this process
 * would block the event loop that serves the fake API server.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, colourlessEnv, tempDirs, writeFile, type ProcessResult } from './support';

const dir = tempDirs('cli-tokens-');
const SECRET_PATH = '/api/v1/namespaces/istio-system/secrets/istio-reader-service-account-istio-remote-secret-token';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.reader-token';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const b64 = (text: string) => Buffer.from(text).toString('base64');

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
/** A token that, substituted into a kubeconfig, would add a user of its own. */
const INJECTING_TOKEN = 'reader-token\n  - name: evil\n    user:\n      token: stolen';
const tokenSecret = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, type: 'kubernetes.io/service-account-token', data });

/** Cluster -> the answer of its API server to a GET of the token Secret (a string is sent as it is). */
const ANSWERS: Record<string, { status: number; body: object | string }> = {
  iks: { status: 200, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, type: 'kubernetes.io/service-account-token', data: { token: b64(TOKEN), 'ca.crt': b64(CA) } } },
  // Created, but the token controller has not filled it yet.
  west: { status: 200, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, type: 'kubernetes.io/service-account-token' } },
  // A proxy's answer: not JSON, with terminal escapes and a forged CI command, and long.
  garbled: { status: 200, body: `\u001b[2J<html>\n::error::forged\u202e${'x'.repeat(5000)}` },
  verbose: { status: 200, body: `\u001b]0;title\u0007${'y'.repeat(5000)}` },
  injecting: { status: 200, body: tokenSecret({ token: b64(INJECTING_TOKEN), 'ca.crt': b64(CA) }) },
  spaced: { status: 200, body: tokenSecret({ token: b64(`${TOKEN}\n`), 'ca.crt': b64(CA) }) },
  unencoded: { status: 200, body: tokenSecret({ token: TOKEN.replace('.', '!'), 'ca.crt': b64(CA) }) },
  keyed: { status: 200, body: tokenSecret({ token: b64(TOKEN), 'ca.crt': b64(CA + PRIVATE_KEY) }) },
  south: { status: 404, body: { apiVersion: 'v1', kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'secrets "istio-reader-service-account-istio-remote-secret-token" not found' } },
};

/** One fake API server per cluster: kubectl's `get --raw` drops any path of the server URL. */
const servers = new Map<string, Server>();
const requests: string[] = [];

beforeAll(async () => {
  for (const [cluster, answer] of Object.entries(ANSWERS)) {
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      requests.push(`${cluster}${path}`);
      const { status, body } = path === SECRET_PATH ? answer : { status: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 } };
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.set(cluster, server);
  }
});
afterAll(() => Promise.all([...servers.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve())))));

/** The bin, run without blocking this process, which serves the fake API server. */
function tokens(args: readonly string[], cwd: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'tokens', ...args], { cwd, env: colourlessEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A kubeconfig with a context per fake cluster; `down` points at a port nothing listens on. */
function kubeconfig(cwd: string): string {
  const clusters = [...servers].map(([name, server]) => ({ name, server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  clusters.push({ name: 'down', server: 'http://127.0.0.1:1' });
  return writeFile(cwd, 'kubeconfig', {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(({ name, server }) => ({ name, cluster: { server } })),
    users: [{ name: 'admin', user: { token: 'admin-token' } }],
    contexts: clusters.map(({ name }) => ({ name: name === 'iks' ? 'iks-admin' : name, context: { cluster: name, user: 'admin' } })),
    'current-context': 'iks-admin',
  });
}

function inventory(cwd: string, source: string, remotes: readonly object[]): string {
  return writeFile(cwd, `${source}.yaml`, {
    mesh: { credentials: { source } },
    clusters: [{ name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' }, ...remotes],
  });
}

const IKS = { name: 'iks', url: 'https://iks.example.com:30426', context: 'iks-admin' };

describe('tokens', () => {
  it('prints the store entries of the remotes it reads, and names each remote it cannot read and why', async () => {
    // GIVEN remotes: one with its token issued, one not yet, one without the Secret, one with no context, one unreachable
    const cwd = dir();
    const remotes = [IKS, { name: 'west', url: 'https://west.example.com:6443' }, { name: 'south', url: 'https://south.example.com:6443' }, { name: 'north', url: 'https://north.example.com:6443' }, { name: 'down', url: 'https://down.example.com:6443' }];
    // WHEN tokens runs for the default external-secret source
    const result = await tokens(['--inventory', inventory(cwd, 'external-secret', remotes), '--kubeconfig', kubeconfig(cwd)], cwd);
    // THEN the readable remote's store entry is on stdout, decoded as the ExternalSecret reads it
    expect(JSON.parse(result.stdout)).toEqual({ 'istio-remote-token-iks': { token: TOKEN, 'ca.crt': CA } });
    // AND every other remote is named on stderr with what to do, and the exit code says so
    expect(result.status).toBe(1);
    const errors = result.stderr.trim().split('\n');
    expect(errors).toEqual([
      'error: cluster "west" (context "west"): Kubernetes has not issued the token yet (istio-system/istio-reader-service-account-istio-remote-secret-token has no token); try again in a moment',
      'error: cluster "south" (context "south"): the token Secret istio-system/istio-reader-service-account-istio-remote-secret-token does not exist: apply the remote\'s mesh components first',
      'error: cluster "north" (context "north"): the kubeconfig has no context "north"; add one, or name it in clusters[].context',
      expect.stringMatching(/^error: cluster "down" \(context "down"\): cannot read the token Secret istio-system\/istio-reader-service-account-istio-remote-secret-token: .*127\.0\.0\.1:1.*refused/),
    ]);
    // AND the reads went to each cluster's own server, through its context
    expect(requests).toContain(`iks${SECRET_PATH}`);
  });

  it('prints the Secret Flux substitutes from, or export lines, for flux-substitution', async () => {
    const cwd = dir();
    const file = inventory(cwd, 'flux-substitution', [{ ...IKS, token: "{{ lookup('env','IKS_READER_TOKEN') }}" }]);
    const secret = await tokens(['-i', file, '--kubeconfig', kubeconfig(cwd), '--namespace', 'gitops'], cwd);
    expect(secret.stderr).toBe('');
    expect(secret.status).toBe(0);
    // THEN the keys are the variables the remote secrets name: the token's lookup variable, and the CA base64-encoded
    expect(load(secret.stdout)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'istio-remote-tokens', namespace: 'gitops' },
      type: 'Opaque',
      stringData: { IKS_READER_TOKEN: TOKEN, ISTIO_REMOTE_CA_IKS: b64(CA) },
    });
    const exported = await tokens(['-i', file, '--kubeconfig', kubeconfig(cwd), '--format', 'export'], cwd);
    expect(exported.stdout).toBe(`export IKS_READER_TOKEN='${TOKEN}'\nexport ISTIO_REMOTE_CA_IKS='${b64(CA)}'\n`);
  });

  it('says there is nothing to fetch for inline credentials', async () => {
    const cwd = dir();
    const result = await tokens(['-i', inventory(cwd, 'inline', [{ ...IKS, token: 'iks-reader-token' }])], cwd);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('credentials.source is inline, so the remote secrets take their tokens from the inventory (clusters[].token); nothing to fetch.');
    expect(result.stderr).toBe('');
  });

  it('refuses a missing inventory and options of another source as usage errors', async () => {
    const cwd = dir();
    const missing = await tokens([], cwd);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error: --inventory FILE is required');
    expect(missing.stderr).toContain('Usage: cdk8s-istio-multicluster tokens --inventory FILE [options]');
    const misplaced = await tokens(['-i', inventory(cwd, 'external-secret', [IKS]), '--format', 'export'], cwd);
    expect(misplaced.status).toBe(2);
    expect(misplaced.stderr).toContain('--format and --namespace only apply to credentials.source flux-substitution');
    expect(misplaced.stdout).toBe('');
  });

  it('GIVEN broken answers WHEN tokens reads them THEN each remote is refused by name, nothing of the answer is printed raw and no token is printed', async () => {
    // GIVEN remotes whose API servers answer garbage, a token with a newline and YAML, a token with a
    // trailing newline, token data that is not base64, and a CA bundle that holds a private key
    const cwd = dir();
    const remotes = ['garbled', 'injecting', 'spaced', 'unencoded', 'keyed'].map((name) => ({ name, url: `https://${name}.example.com:6443` }));
    // WHEN tokens runs for flux-substitution
    const result = await tokens(['-i', inventory(cwd, 'flux-substitution', remotes), '--kubeconfig', kubeconfig(cwd)], cwd);
    // THEN it fails, prints no token and no Secret, and names every remote with what is wrong
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const secret = 'istio-system/istio-reader-service-account-istio-remote-secret-token';
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: cluster "garbled" (context "garbled"): the API server did not answer with a Secret: \\u001b[2J<html>`,
      `error: cluster "injecting" (context "injecting"): the token in ${secret} is not a bearer token (RFC 6750: letters, digits and - . _ ~ + /, then only = padding); it is not printed`,
      `error: cluster "spaced" (context "spaced"): the token in ${secret} has leading or trailing whitespace or a newline (as \`echo\` or reading a file adds): the API server would never accept it, so it is refused rather than trimmed; strip it at the source (e.g. \`tr -d '\\n'\`); it is not printed`,
      `error: cluster "unencoded" (context "unencoded"): ${secret} data.token is not base64, as the API server writes a Secret's data; refusing to print an empty or garbled token`,
      `error: cluster "keyed" (context "keyed"): ${secret} ca.crt holds a PRIVATE KEY PEM block; only CERTIFICATE blocks belong there (its content is not shown)`,
    ]);
    expect(result.stderr).not.toContain('stolen');
    expect(result.stderr).not.toContain(TOKEN);
    expect(result.stderr).not.toContain('MIIEvQ');
  });

  it('GIVEN an answer whose first line is long WHEN it is reported THEN it is escaped and cut', async () => {
    const cwd = dir();
    const result = await tokens(['-i', inventory(cwd, 'external-secret', [{ name: 'verbose', url: 'https://verbose.example.com:6443' }]), '--kubeconfig', kubeconfig(cwd)], cwd);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: cluster "verbose" (context "verbose"): the API server did not answer with a Secret: \\u001b]0;title\\u0007${'y'.repeat(190)}... (5010 characters)\n`);
  });

  it('GIVEN two remotes whose tokens come from one variable WHEN tokens runs THEN it refuses, naming both, before reading any', async () => {
    const cwd = dir();
    const token = "{{ lookup('env','READER_TOKEN') }}";
    const file = inventory(cwd, 'flux-substitution', [{ ...IKS, token }, { name: 'west', url: 'https://west.example.com:6443', token }]);
    const result = await tokens(['-i', file, '--kubeconfig', kubeconfig(cwd)], cwd);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${file}: clusters[2].token: remotes "iks" and "west" both take their credentials from the variable READER_TOKEN: one would get the other's token`);
  });
});

