import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// `npm run test:package`: the package as a user installs it and the GitHub Action as a
// runner executes it. Slow (a real `npm install` from the registry, full CLI runs), so
// outside `npm test` (the root config excludes this directory); `npm run test:all`, the
// README's test command and CI's, runs both.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['scripts/package/**/*.test.ts'],
    testTimeout: 10 * 60_000,
    hookTimeout: 25 * 60_000,
    // The two files share the machine's two cores with the installs and suite runs they start.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/package.json' },
  },
})
