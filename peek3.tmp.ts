import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashTree } from './bench/tree-hash';
import { main } from './lib/cli/main';
for (const inv of ['apps/openshift/inventory.yaml', 'apps/hybrid/inventory.yaml']) {
  const out = join(mkdtempSync(join(tmpdir(), 'h-')), 'o');
  main(['synth', '--inventory', inv, '--out', out], { stdout: () => undefined, stderr: () => undefined, color: false });
  console.log(inv, hashTree(out));
}
