import { buildMesh } from './lib/build-mesh';
import { loadInventory } from './lib/inventory/load-inventory';
import { synthesizeOutput } from './lib/synth-output';
const out = synthesizeOutput(buildMesh(loadInventory(process.argv[2], { env: {} })));
console.log(JSON.stringify(out.findings, null, 1));
for (const m of out.manifests.controlPlane.filter((m: any) => m.kind === 'DestinationRule')) console.log(JSON.stringify(m.spec));
for (const [p, c] of out.tree) if (p.endsWith('istiod-values.yaml')) console.log(p, c);
for (const [c, ms] of out.manifests.clusters) for (const m of ms as any[]) if (m.kind === 'Deployment') console.log(c, m.metadata.name, JSON.stringify(m.spec.template.metadata.labels));
