import { defineConfig } from 'vitest/config';

// The install suite (npm run test:install): the output installed into real kube-apiservers.
// It needs Go (scripts/build-tools.sh builds the API servers first) and is not part of npm test.
export default defineConfig({
  test: {
    include: ['test/install/**/*.install.ts'],
    globalSetup: ['test/install/support/global-setup.ts'],
    // Forks, not threads: the harness ends its programs on the worker's exit and signals.
    pool: 'forks',
    // Each file starts its own API servers; two at once fill the machine's two cores.
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
