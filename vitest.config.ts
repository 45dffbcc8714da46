import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two cores: e2e files install npm packages and start services; run files in pairs at most.
    maxWorkers: 2,
  },
});
