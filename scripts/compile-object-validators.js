/**
 * The second step of `npm run build`: compiles the schema bundle (schemas/object-schemas.json)
 * into standalone validators in build/lib/analyzers/object-validators/, beside the compiled
 * lib/analyzers/object-schemas.js, which loads them instead of compiling the schemas at each
 * `validate` or `synth` run. Then, for the validators of the kinds the bundled example meshes hold
 * (and the metadata validators' index), it writes a V8 code cache (lib/io/code-cache.ts) made after
 * checking those meshes' objects, so that a run loads their bytecode instead of compiling hundreds
 * of KB again. Other kinds' validators load as plain modules.
 */
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { OBJECT_SCHEMA_FILE, STANDALONE_VALIDATORS_FOLDER, standaloneValidatorFiles } = require('../build/lib/analyzers/object-schemas.js');
const { writeCodeCache } = require('../build/lib/io/code-cache.js');
const { loadInventory } = require('../build/lib/inventory/load-inventory.js');
const { buildMesh } = require('../build/lib/synth/build-mesh.js');
const { synthesizeMesh } = require('../build/lib/synth/synthesize-mesh.js');

const ROOT = join(__dirname, '..');
const EXAMPLE_INVENTORIES = ['apps/openshift/inventory.yaml', 'apps/openshift/inventory-sail.yaml', 'apps/hybrid/inventory.yaml'];

const folder = join(ROOT, 'build', 'lib', 'analyzers', STANDALONE_VALIDATORS_FOLDER);
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
const files = standaloneValidatorFiles();
for (const [name, code] of files) writeFileSync(join(folder, name), code);

// The example meshes' objects by the validator file of their kind.
const { kinds } = JSON.parse(readFileSync(join(ROOT, ...OBJECT_SCHEMA_FILE), 'utf8'));
const samples = new Map();
const metadataSamples = [];
for (const inventory of EXAMPLE_INVENTORIES) {
  const { manifests } = synthesizeMesh(buildMesh(loadInventory(join(ROOT, inventory))));
  for (const manifest of [...[...manifests.clusters.values()].flat(), ...manifests.controlPlane]) {
    metadataSamples.push(manifest.metadata);
    const definition = kinds[`${manifest.apiVersion}/${manifest.kind}`];
    if (definition !== undefined) samples.set(`${definition}.js`, [...(samples.get(`${definition}.js`) ?? []), manifest]);
  }
}
writeCodeCache(join(folder, 'index.js'), (index) => {
  for (const [key, validate] of Object.entries(index)) if (key.startsWith('metadata:')) for (const metadata of metadataSamples) validate(metadata);
});
for (const [name, manifests] of samples) {
  writeCodeCache(join(folder, name), ({ validate }) => {
    for (const manifest of manifests) validate(manifest);
  });
}
