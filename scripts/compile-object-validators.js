/**
 * The second step of `npm run build`: compiles the schema bundle (schemas/object-schemas.json)
 * into standalone validators beside the compiled lib/analyzers/object-schemas.js, which loads them
 * instead of compiling the schemas at each `validate` or `synth` run.
 */
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { STANDALONE_VALIDATORS_FILE, standaloneValidatorsCode } = require('../build/lib/analyzers/object-schemas.js');

writeFileSync(join(__dirname, '..', 'build', 'lib', 'analyzers', STANDALONE_VALIDATORS_FILE), standaloneValidatorsCode());
