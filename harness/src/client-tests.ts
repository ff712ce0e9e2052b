/**
 * The reference client's tests as coverage evidence. Client tests name the catalog
 * requirements they check in `meta.requirements` (reference-client/src/testing/covers.ts);
 * this loads the client's test files with vitest's Node API, runs none of them, and
 * returns each test with the ids it cites. Only the metadata is read, so nothing here
 * depends on the client's code.
 */

import { relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createVitest } from 'vitest/node'
import { RepoRoot } from './engine.ts'

/** The project's own vitest configuration (the one `npm test` uses), not the suites'. */
export const ProjectConfigFile = fileURLToPath(new URL('../../vitest.config.ts', import.meta.url))
export const ClientTestFiles = ['reference-client/**/*.test.ts']

export interface ClientTest {
  /** `file > describe > test`: stable and readable. */
  id: string
  file: string
  requirements: string[]
}

function requirementsOf(meta: unknown): string[] {
  const value = (meta as { requirements?: unknown } | null)?.requirements
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []
}

/** Every client test (those citing no requirement included), in file order. */
export async function collectClientTests(include: string[] = ClientTestFiles): Promise<{ tests: ClientTest[]; loadErrors: string[] }> {
  // Collection only: one worker with a shared module cache imports each file once, about three
  // times faster than the project's default of an isolated worker per file.
  const vitest = await createVitest('test', { config: ProjectConfigFile, root: RepoRoot, watch: false, reporters: [], include, pool: 'threads', isolate: false, maxWorkers: 1 }, {}, {})
  try {
    const result = await vitest.collect()
    const tests: ClientTest[] = []
    const loadErrors: string[] = []
    for (const module of result.testModules) {
      const file = relative(RepoRoot, module.moduleId).split(sep).join('/')
      for (const error of module.errors()) loadErrors.push(`${file}: ${error.message ?? String(error)}`)
      for (const testCase of module.children.allTests()) {
        // fast-check names a property test with its random seed; the id leaves it out to stay stable
        const name = testCase.fullName.replace(/ \(with seed=-?\d+\)$/, '')
        tests.push({ id: `${file} > ${name}`, file, requirements: requirementsOf(testCase.meta()) })
      }
    }
    return { tests, loadErrors }
  } finally {
    await vitest.close()
  }
}
