// Reads vitest's JSON report and prints the plain closing line CI understands.
// Exits non-zero when the test command failed or any test failed.
import { existsSync, readFileSync } from 'node:fs'

const [file, statusArg] = process.argv.slice(2)
const status = Number(statusArg ?? '1')

if (!file || !existsSync(file)) {
  // Type-check or startup failed before vitest could report anything.
  console.log('0 passed, 1 failed')
  process.exit(status === 0 ? 1 : status)
}

const report = JSON.parse(readFileSync(file, 'utf8'))
const passed = report.numPassedTests ?? 0
let failed = report.numFailedTests ?? 0
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
// A suite that failed to load has no failed tests but must still count as a failure.
const failedSuites = report.numFailedTestSuites ?? 0
if (failed === 0 && (failedSuites > 0 || status !== 0)) failed = Math.max(1, failedSuites)

// The PostgreSQL tests (describe titles naming PostgreSQL): how many really ran.
const pgStatuses = (report.testResults ?? [])
  .flatMap((file) => file.assertionResults ?? [])
  .filter((test) => (test.ancestorTitles ?? []).some((title) => title.includes('PostgreSQL')))
  .map((test) => test.status)
const pgRan = pgStatuses.filter((s) => s === 'passed' || s === 'failed').length
console.log(`PostgreSQL tests executed: ${pgRan} (${pgStatuses.length - pgRan} skipped)`)

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || status !== 0 ? 1 : 0)
