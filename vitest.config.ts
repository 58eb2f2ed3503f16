import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full fuzz run (SCORER_FULL_TESTS=1) opens a million mutated cookies in one test.
    testTimeout: process.env.SCORER_FULL_TESTS ? 600_000 : 60_000,
    reporters: ['default'],
  },
});
