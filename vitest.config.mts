import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds build/ once per run: the CLI tests spawn the compiled bin.
    globalSetup: ['test/support/global-setup.ts'],
    // One worker per CPU, not vitest's CPUs - 1: the CLI and package tests mostly wait on child
    // processes, so on a 2-CPU machine one worker would leave a CPU idle.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
