/** The closing line CI reads: summed over the test command's vitest reports, failing on any gap. */

import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { scratchDirs } from './test-support/scratch-dirs.ts'

const scratch = scratchDirs('ci-summary-')
const script = join(import.meta.dirname, 'ci-summary.mjs')

function report(dir: string, name: string, counts: { passed: number; failed: number; pending?: number; failedSuites?: number; pg?: string[] }): string {
  const file = join(dir, name)
  const assertionResults = (counts.pg ?? []).map((status) => ({ status, ancestorTitles: ['storage on PostgreSQL'] }))
  writeFileSync(
    file,
    JSON.stringify({
      numPassedTests: counts.passed,
      numFailedTests: counts.failed,
      numPendingTests: counts.pending ?? 0,
      numFailedTestSuites: counts.failedSuites ?? 0,
      testResults: [{ assertionResults }],
    }),
  )
  return file
}

function summary(status: number, files: string[]) {
  const result = spawnSync(process.execPath, [script, String(status), ...files], { encoding: 'utf8' })
  return { code: result.status, lines: result.stdout.trim().split('\n') }
}

describe('ci-summary', () => {
  test('sums the reports of both runs and counts the PostgreSQL tests that ran', () => {
    const dir = scratch()
    const unit = report(dir, 'vitest.json', { passed: 10, failed: 0, pending: 2, pg: ['passed', 'passed', 'skipped'] })
    const pkg = report(dir, 'package.json', { passed: 12, failed: 0 })
    expect(summary(0, [unit, pkg])).toEqual({ code: 0, lines: ['PostgreSQL tests executed: 2 (1 skipped)', '22 passed, 0 failed, 2 skipped'] })
  })

  test('a failed test in either report fails the line', () => {
    const dir = scratch()
    const unit = report(dir, 'vitest.json', { passed: 10, failed: 0 })
    const pkg = report(dir, 'package.json', { passed: 11, failed: 1 })
    expect(summary(1, [unit, pkg])).toMatchObject({ code: 1, lines: expect.arrayContaining(['21 passed, 1 failed, 0 skipped']) })
  })

  test('a report that is missing (the run stopped before it) counts as a failure even when the status is 0', () => {
    const dir = scratch()
    const unit = report(dir, 'vitest.json', { passed: 10, failed: 0 })
    const result = summary(0, [unit, join(dir, 'package.json')])
    expect(result.code).toBe(1)
    expect(result.lines.at(-1)).toBe('10 passed, 1 failed, 0 skipped')
  })

  test('a file that failed to load, or a non-zero status with no failed test, is a failure', () => {
    const dir = scratch()
    expect(summary(0, [report(dir, 'a.json', { passed: 3, failed: 0, failedSuites: 1 })]).lines.at(-1)).toBe('3 passed, 1 failed, 0 skipped')
    expect(summary(2, [report(dir, 'b.json', { passed: 3, failed: 0 })])).toMatchObject({ code: 1, lines: expect.arrayContaining(['3 passed, 1 failed, 0 skipped']) })
  })
})
