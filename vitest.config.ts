import { defineConfig } from 'vitest/config'

// The project's own tests. Conformance cases under suites/ are not run here directly:
// the harness runs them against a target relay with its own configuration.
export default defineConfig({
  test: {
    include: [
      'lib/**/*.test.ts',
      'spec/**/*.test.ts',
      'bench/**/*.test.ts',
      'harness/**/*.test.ts',
      'reference-relay/**/*.test.ts',
      'reference-client/**/*.test.ts',
      'scripts/**/*.test.ts',
      'third-party/**/*.test.ts',
      'test-relays/**/*.test.ts',
    ],
    // scripts/package: the installed package and the action (npm run test:package).
    exclude: ['node_modules/**', 'suites/**', 'scripts/package/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
  },
})
