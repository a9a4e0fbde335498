/**
 * Install-suite support: the reader credentials a mesh's install produced, read back the way
 * the control plane reads them, and tried against the remote API servers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadInventory } from '../../../lib/inventory/load-inventory';
import { caVariable, ISTIO_SYSTEM_NAMESPACE, remoteSecretName, tokenRemoteKey } from '../../../lib/model/names';
import { httpsGet, type TestCluster } from './clusters';
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

/** The status of a list of pods with `token` on `cluster`: 200 once the reader may read them. */
export async function readPodsWith(cluster: TestCluster, token: string): Promise<number> {
  return (await httpsGet(cluster, '/api/v1/pods?limit=1', token)).status;
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
