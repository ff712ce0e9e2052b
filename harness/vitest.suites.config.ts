import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The conformance suites. The harness (`persona-conformance run`) loads this config and
// provides the target and probe; run directly (`npx vitest run -c harness/vitest.suites.config.ts`)
// the global setup starts the embedded reference relay (or uses NIP_AP_TARGET_URL) itself.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['suites/**/*.test.ts'],
    globalSetup: ['harness/src/suite-setup.ts'],
    // Cases bound every wait themselves; these are backstops against a runaway case.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Cases within a file run in order; files run in parallel against the same target.
    // Cases mostly wait on the network, so more workers than cores still pays off.
    fileParallelism: true,
    pool: 'threads',
    maxWorkers: 4,
    // Suite files share one module cache per worker: re-importing nostr-tools, fast-check and
    // spec/ for every file costs more CPU than running the cases. Cases keep no module state.
    isolate: false,
    // No results cache: installed as a package, the root is inside node_modules, which a
    // run must not write to (reports go to the user's --out directory only).
    cache: false,
  },
})
