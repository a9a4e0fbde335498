#!/usr/bin/env node
'use strict';
const { main } = require('../build/lib/cli/main.js');
process.exitCode = main(process.argv.slice(2));
