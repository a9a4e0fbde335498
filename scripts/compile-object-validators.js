/**
 * The second step of `npm run build`: compiles the schema bundle (schemas/object-schemas.json)
 * into standalone validators in build/lib/analyzers/object-validators/, beside the compiled
 * lib/analyzers/object-schemas.js, which loads them instead of compiling the schemas at each
 * `validate` or `synth` run.
 */
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { STANDALONE_VALIDATORS_FOLDER, standaloneValidatorFiles } = require('../build/lib/analyzers/object-schemas.js');

const folder = join(__dirname, '..', 'build', 'lib', 'analyzers', STANDALONE_VALIDATORS_FOLDER);
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
for (const [name, code] of standaloneValidatorFiles()) writeFileSync(join(folder, name), code);
