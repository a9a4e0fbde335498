// Regenerates the Istio L1 classes under lib/imports/ from the upstream CRD file.
// The CRD file stays in the upstream data folder (npm run fetch:upstream); only the generated TypeScript is committed.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The upstream data folder as test/support/upstream.ts finds it: CDK8S_ISTIO_UPSTREAM_DIR, else ../shared/upstream.
const upstreamDir = resolve(root, process.env.CDK8S_ISTIO_UPSTREAM_DIR ?? '../shared/upstream');
const crdFile = resolve(root, process.env.ISTIO_CRD_FILE ?? join(upstreamDir, 'istio/manifests/charts/base/files/crd-all.gen.yaml'));
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
