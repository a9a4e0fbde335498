/**
 * Removes what `npm run build` writes (build/lib, build/constructs) before it writes again: tsc
 * never deletes the output of a source file that was moved or removed, and `npm pack` ships
 * whatever build/ holds.
 */
const { rmSync } = require('node:fs');
const { resolve } = require('node:path');

for (const folder of ['lib', 'constructs']) rmSync(resolve(__dirname, '..', 'build', folder), { recursive: true, force: true });
// The digest of the inputs the test setup built from (test/support/global-setup.ts): a build made
// otherwise may be of other sources, so the next test run builds again.
rmSync(resolve(__dirname, '..', 'build', '.inputs.sha256'), { force: true });
