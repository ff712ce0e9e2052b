/**
 * The engine: vitest 4.1's Node API runs the suite files with the run context provided to
 * the workers and our reporter grading each case (see harness/README.md, "Engine").
 */

import { fileURLToPath } from 'node:url'
import { createVitest } from 'vitest/node'
import type { TestCase, TestModule } from 'vitest/node'
import { UsageError } from './errors.ts'
import './meta.ts'
import { CaseReporter, describeTest } from './reporter.ts'
import type { CaseDeclaration, CaseRecord, SuiteContext } from './types.ts'

export const RepoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const SuitesConfigFile = fileURLToPath(new URL('../vitest.suites.config.ts', import.meta.url))

export interface EngineOptions {
  context: SuiteContext
  /** Suite file globs relative to the repo root (default: the config's `suites/**\/*.test.ts`). */
  include?: string[]
  onCase: (record: CaseRecord) => void
  progress?: boolean
}

async function createEngine(context: SuiteContext, include: string[] | undefined, reporters: CaseReporter[]) {
  return createVitest(
    'test',
    {
      config: SuitesConfigFile,
      root: RepoRoot,
      watch: false,
      reporters,
      provide: { nipApSuite: context },
      ...(include ? { include } : {}),
    },
    {},
    {},
  )
}

/** Runs the suites; returns errors that happened outside any case and every declared case id. */
export async function runSuites(options: EngineOptions): Promise<{ runErrors: string[]; declaredIds: string[] }> {
  const reporter = new CaseReporter({ root: RepoRoot, onCase: options.onCase, progress: options.progress ?? false })
  const vitest = await createEngine(options.context, options.include, [reporter])
  try {
    await vitest.start()
  } catch (error) {
    if (error instanceof Error && error.name === 'FilesNotFoundError') {
      throw new UsageError(`error: no suite files found (${(options.include ?? ['suites/**/*.test.ts']).join(', ')})`)
    }
    throw error
  } finally {
    await vitest.close()
  }
  return { runErrors: reporter.runErrors, declaredIds: [...reporter.declaredIds] }
}

export interface CollectedCase {
  declaration: CaseDeclaration
  file: string
  area: string
  registered: boolean
}

/** Loads every suite file without running a case: the `list` and `coverage` verbs. */
export async function collectCases(
  context: SuiteContext,
  include?: string[],
): Promise<{ cases: CollectedCase[]; loadErrors: string[] }> {
  const vitest = await createEngine(context, include, [])
  try {
    const result = await vitest.collect()
    const cases: CollectedCase[] = []
    const loadErrors: string[] = []
    for (const module of result.testModules) {
      for (const error of module.errors()) loadErrors.push(`${module.relativeModuleId}: ${error.message ?? String(error)}`)
      for (const testCase of allTests(module)) cases.push(describeTest(testCase, RepoRoot))
    }
    cases.sort((a, b) => a.declaration.id.localeCompare(b.declaration.id))
    return { cases, loadErrors }
  } finally {
    await vitest.close()
  }
}

function allTests(module: TestModule): TestCase[] {
  return [...module.children.allTests()]
}
