/**
 * Install-suite support: the reader credentials a mesh's install produced, read back the way
 * the control plane reads them, and tried against the remote API servers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { loadInventory } from '../../../lib/inventory/load-inventory';
import { caVariable, ISTIO_SYSTEM_NAMESPACE, remoteSecretName, tokenRemoteKey } from '../../../lib/model/names';
import type { InstalledMesh } from './scenario';

export interface ReaderCredentials {
  readonly token: string;
  /** PEM. */
  readonly ca: string;
}

/**
 * What `tokens` printed, per remote: store entries (external-secret) or Flux's Secret
 * (flux-substitution), whose token keys are the variables the inventory's token lookups name.
 */
export function credentialsFromTokensOutput(output: string, inventoryFile: string, remotes: readonly string[]): Map<string, ReaderCredentials> {
  const found = new Map<string, ReaderCredentials>();
  const { mesh } = loadInventory(inventoryFile);
  if (mesh.credentials.source === 'external-secret') {
    const entries = JSON.parse(output) as Record<string, { token: string; 'ca.crt': string }>;
    for (const remote of remotes) {
      const entry = entries[tokenRemoteKey(remote)];
      if (entry) found.set(remote, { token: entry.token, ca: entry['ca.crt'] });
    }
  } else {
    const { stringData } = load(output) as { stringData: Record<string, string> };
    for (const remote of remotes) {
      const token = stringData[mesh.cluster(remote).tokenVariable];
      const ca = stringData[caVariable(remote)];
      if (token && ca) found.set(remote, { token, ca: Buffer.from(ca, 'base64').toString('utf8') });
    }
  }
  return found;
}

/**
 * The kind kubectl reads back listing pods on `remote` with only these credentials (its URL, the
 * CA as trust and the token): `PodList` once the reader may list them; kubectl fails otherwise.
 */
export function readPodsWith(mesh: InstalledMesh, remote: string, credentials: ReaderCredentials): string {
  const kubeconfig = join(mesh.out, '..', `reader-${remote}.kubeconfig`);
  writeFileSync(kubeconfig, dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: remote, cluster: { server: mesh.clusters.clusters.get(remote)!.url, 'certificate-authority-data': Buffer.from(credentials.ca).toString('base64') } }],
    users: [{ name: 'reader', user: { token: credentials.token } }],
    contexts: [{ name: remote, context: { cluster: remote, user: 'reader' } }],
    'current-context': remote,
  }), { mode: 0o600 });
  return (JSON.parse(mesh.replay.kubectl(['--kubeconfig', kubeconfig, 'get', '--raw', '/api/v1/pods?limit=1'])) as { kind: string }).kind;
}

/**
 * The kubeconfig of the control plane's remote secret for `remote`, as istiod reads it, written to
 * a file; `kubectl --kubeconfig <file> get --raw ...` then goes where istiod would.
 */
export function remoteSecretKubeconfig(mesh: InstalledMesh, controlPlane: string, remote: string): string {
  const data = mesh.replay.kubectl(['--context', controlPlane, '-n', ISTIO_SYSTEM_NAMESPACE, 'get', 'secret', remoteSecretName(remote), '-o', `jsonpath={.data.${remote}}`]);
  const file = join(mesh.out, '..', `remote-secret-${remote}.kubeconfig`);
  writeFileSync(file, Buffer.from(data, 'base64'), { mode: 0o600 });
  return file;
}
