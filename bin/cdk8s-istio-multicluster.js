#!/usr/bin/env node
'use strict';
const { join } = require('node:path');

// build/ comes from `npm run build`, which `npm ci` / `npm install` run in a clone (the `prepare`
// script) and `npm pack` runs before packing. Without it, say how to get it instead of a stack trace.
let cli;
try {
  cli = require('../build/lib/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(join('build', 'lib', 'cli', 'main.js'))) {
    process.stderr.write(`error: the CLI is not compiled (${join(__dirname, '..', 'build')} is missing); run \`npm run build\` in ${join(__dirname, '..')}\n`);
    process.exit(1);
  }
  throw error;
}
cli.runAsProcess(process.argv.slice(2));
