import { buildMesh } from './lib/build-mesh';
import { loadInventory } from './lib/inventory/load-inventory';
import { synthesizeOutput } from './lib/synth-output';
const out = synthesizeOutput(buildMesh(loadInventory(process.argv[2], { env: {} })));
const r = out.tree.get('README.md')!;
console.log(r.slice(r.indexOf('## Locality')));
