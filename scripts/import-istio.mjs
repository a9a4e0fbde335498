// Regenerates the Istio L1 classes under lib/imports/ from the upstream CRD file.
// The CRD file stays in shared/upstream; only the generated TypeScript is committed.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const crdFile = resolve(root, process.env.ISTIO_CRD_FILE ?? '../shared/upstream/istio/manifests/charts/base/files/crd-all.gen.yaml');
if (!existsSync(crdFile)) {
  console.error(`Istio CRD file not found: ${crdFile} (set ISTIO_CRD_FILE to its path)`);
  process.exit(1);
}
const outdir = join(root, 'lib', 'imports');
rmSync(outdir, { recursive: true, force: true });
execFileSync('npx', ['cdk8s', 'import', crdFile, '--language', 'typescript', '--output', outdir, '--no-save', '--no-check-upgrade'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
});
