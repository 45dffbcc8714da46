import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000, // e2e cases drive real processes, npm and Docker; on a loaded 2-core machine 30 s was not enough
    hookTimeout: 300_000,
    pool: 'forks',
    // After every file: the docker builds' untagged stage images (test/helpers/docker-teardown.ts).
    globalSetup: ['test/helpers/docker-teardown.ts'],
    // Two cores: e2e files install npm packages and start services; run files in pairs at most.
    maxWorkers: 2,
    // The JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
