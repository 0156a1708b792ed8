import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: interop tests spawn JVM/Python; keep worker count small and deterministic.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
