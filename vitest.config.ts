import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn listeners and exporters on fixed-free ports; one file at a time keeps
    // /proc-wide assertions (listener sets, ss and lsof cross-checks) free of the other files' children.
    fileParallelism: false,
    reporters: ['default'],
    globalSetup: ['test/global-teardown.ts'],
  },
});
