/**
 * Install-suite support: one real kube-apiserver per cluster of a mesh, on 127.0.0.1.
 *
 * One etcd serves them all, each API server under its own `--etcd-prefix`, which costs one etcd
 * instead of one per cluster. Each API server has a CA of its own, a static admin token, the
 * service-account signing key the token controller signs with, RBAC authorization and the
 * default admission plugins (Pod Security among them). `startClusters` writes a kubeconfig with
 * one context per cluster, named after it, as the output's READMEs expect. With
 * `controllerManager`, each cluster also runs kube-controller-manager with the controllers
 * that fill service-account token Secrets and create the `default` ServiceAccounts.
 * No kubelet, scheduler or other controller runs: nothing starts a pod.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { makeClusterCertificates, type ClusterCertificates } from './certificates';
import { freePort, logTail, startProcess, type ManagedProcess } from './processes';
import { toolPath } from './tools';

/** One test cluster: its API server's address and trust. */
export interface TestCluster {
  readonly name: string;
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The API server's CA, base64 PEM, as certificate-authority-data holds it. */
  readonly caData: string;
  readonly certificates: ClusterCertificates;
}

export interface TestClusters {
  readonly clusters: ReadonlyMap<string, TestCluster>;
  /** A kubeconfig with one context per cluster, named after it, for the admin user. */
  readonly kubeconfig: string;
  /** Resident memory per program (etcd, `kube-apiserver <cluster>`, ...), in bytes. */
  memory(): Record<string, number>;
  /** One HTTPS request to a cluster's API server as the admin user, trusting only its CA; a JSON body is sent as is. */
  request(cluster: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse>;
  /** Stops every program started, in reverse order; safe to call twice. */
  stop(): Promise<void>;
}

/** An API server's answer: its HTTP status and its body as text. */
export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

export interface StartClustersOptions {
  /** A fresh folder for the clusters' data, certificates, logs and kubeconfig. */
  readonly dir: string;
  /** Whether to run kube-controller-manager's token controllers too. @default false */
  readonly controllerManager?: boolean;
}

const READY_TIMEOUT_MS = 120_000;
/** The admin user's groups: system:masters bypasses RBAC, as a cluster admin's kubeconfig does. */
const ADMIN_GROUP = 'system:masters';

/** Starts etcd and one API server per name; stops what it started when any of them fails. */
export async function startClusters(names: readonly string[], options: StartClustersOptions): Promise<TestClusters> {
  const started: ManagedProcess[] = [];
  const stop = async () => {
    for (const program of started.splice(0).reverse()) await program.stop();
  };
  try {
    const etcdPort = await freePort();
    const etcdPeerPort = await freePort();
    const etcdDir = join(options.dir, 'etcd');
    mkdirSync(etcdDir, { recursive: true });
    const etcd = startProcess('etcd', toolPath('etcd'), [
      `--data-dir=${join(etcdDir, 'data')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--listen-metrics-urls=',
      // The data is thrown away after the run: no fsync spares the shared disk.
      '--unsafe-no-fsync',
      '--log-level=error',
    ], join(etcdDir, 'etcd.log'));
    started.push(etcd);

    const adminToken = randomBytes(24).toString('hex');
    const clusters = new Map<string, TestCluster>();
    const servers: Array<{ cluster: TestCluster; program: ManagedProcess }> = [];
    for (const name of names) {
      const dir = join(options.dir, name);
      mkdirSync(dir, { recursive: true });
      const certificates = makeClusterCertificates(dir, name);
      const tokenFile = join(dir, 'tokens.csv');
      writeFileSync(tokenFile, `${adminToken},admin,admin,"${ADMIN_GROUP}"\n`, { mode: 0o600 });
      const port = await freePort();
      const program = startProcess(`kube-apiserver ${name}`, toolPath('kube-apiserver'), [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        `--etcd-prefix=/clusters/${name}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${dir}`,
        `--tls-cert-file=${certificates.servingCertFile}`,
        `--tls-private-key-file=${certificates.servingKeyFile}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${certificates.serviceAccountPublicKeyFile}`,
        `--service-account-signing-key-file=${certificates.serviceAccountKeyFile}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        // As every real cluster (kubeadm, OpenShift) sets it: the CNI chart's DaemonSet is privileged.
        '--allow-privileged=true',
        '--profiling=false',
        '--enable-priority-and-fairness=false',
      ], join(dir, 'kube-apiserver.log'));
      started.push(program);
      const cluster = { name, url: `https://127.0.0.1:${port}`, caData: certificates.caData, certificates };
      clusters.set(name, cluster);
      servers.push({ cluster, program });
    }
    await Promise.all(servers.map(({ cluster, program }) => waitReady(cluster, adminToken, program)));

    const kubeconfig = join(options.dir, 'kubeconfig');
    writeFileSync(kubeconfig, dump(kubeconfigFor([...clusters.values()], adminToken)), { mode: 0o600 });
    if (options.controllerManager) {
      for (const cluster of clusters.values()) {
        const dir = join(options.dir, cluster.name);
        const ownKubeconfig = join(dir, 'kubeconfig');
        writeFileSync(ownKubeconfig, dump(kubeconfigFor([cluster], adminToken)), { mode: 0o600 });
        started.push(startProcess(`kube-controller-manager ${cluster.name}`, toolPath('kube-controller-manager'), [
          `--kubeconfig=${ownKubeconfig}`,
          // serviceaccount-token fills the reader token Secrets (token and ca.crt); serviceaccount
          // creates each namespace's `default` account.
          '--controllers=serviceaccount-token,serviceaccount',
          `--service-account-private-key-file=${cluster.certificates.serviceAccountKeyFile}`,
          `--root-ca-file=${cluster.certificates.caFile}`,
          '--leader-elect=false',
          '--secure-port=0',
        ], join(dir, 'kube-controller-manager.log')));
      }
    }
    return {
      clusters,
      kubeconfig,
      memory: () => Object.fromEntries(started.map((program) => [program.name, program.rssBytes()])),
      request: (name, method, path, body) => {
        const cluster = clusters.get(name);
        if (!cluster) throw new Error(`no test cluster named ${name} (${[...clusters.keys()].join(', ')})`);
        return httpsRequest(cluster, method, path, adminToken, body);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function kubeconfigFor(clusters: readonly TestCluster[], token: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map((cluster) => ({ name: cluster.name, cluster: { server: cluster.url, 'certificate-authority-data': cluster.caData } })),
    users: [{ name: 'admin', user: { token } }],
    contexts: clusters.map((cluster) => ({ name: cluster.name, context: { cluster: cluster.name, user: 'admin' } })),
    'current-context': clusters[0]?.name ?? '',
  };
}

/** Polls `/readyz` until the API server answers 200; fails with its log's tail otherwise. */
async function waitReady(cluster: TestCluster, token: string, program: ManagedProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const { status, body } = await httpsRequest(cluster, 'GET', '/readyz', token);
      if (status === 200) return;
      last = `HTTP ${status}: ${body.slice(0, 500)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${program.name} did not become ready in ${READY_TIMEOUT_MS / 1000}s (${last}); its log ends:\n${logTail(program.logFile)}`);
}

/** A request to a test cluster, trusting only its own CA. */
function httpsRequest(cluster: TestCluster, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<ApiResponse> {
  const url = new URL(path, cluster.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: Buffer.from(cluster.caData, 'base64'), headers, timeout: 30_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}
