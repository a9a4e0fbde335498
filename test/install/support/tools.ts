/**
 * Install-suite support: where the pinned Kubernetes binaries are. The suite's global setup
 * (test/install/support/global-setup.ts) builds or reuses them with scripts/build-tools.sh and
 * passes the folder on in `CDK8S_ISTIO_TOOLS_DIR`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const TOOLS_DIR_VARIABLE = 'CDK8S_ISTIO_TOOLS_DIR';

/** The path of one binary of tools/go.mod: `etcd`, `kube-apiserver` or `kube-controller-manager`. */
export function toolPath(name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager'): string {
  const dir = process.env[TOOLS_DIR_VARIABLE];
  if (!dir) throw new Error(`${TOOLS_DIR_VARIABLE} is unset: run the install suite with npm run test:install, which builds the tools first`);
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`${path} does not exist: run scripts/build-tools.sh`);
  return path;
}
