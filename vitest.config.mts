import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds build/ when its inputs changed: the process tests spawn the compiled bin, the package
    // and code-cache tests read it.
    globalSetup: ['test/support/global-setup.ts'],
    // A process per test file (vitest's default, pinned): the in-process CLI runs (test/cli/support.ts
    // `cli`) change the working folder, which worker threads cannot.
    pool: 'forks',
    // Test files share their worker's module cache instead of loading lib/ again each: test/cli took
    // 55 s of CPU (user+sys) instead of 80 s. The tests restore what they change of the process
    // (working folder, environment, spies).
    isolate: false,
    // One worker per CPU, not vitest's CPUs - 1: the process and package tests wait on child
    // processes, so on a 2-CPU machine one worker would leave a CPU idle.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
