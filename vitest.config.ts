import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: tests wait on conditions and return as soon as they hold; the bound only matters
    // when something is broken, and the CLI e2e tests start several processes each, which a
    // loaded VM makes several times slower.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
