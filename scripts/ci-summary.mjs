// Reads vitest's JSON reports (one per vitest run of the test command) and prints the plain
// closing line CI understands. Usage: ci-summary.mjs STATUS REPORT.json...
// Exits non-zero when the test command failed, a report is missing or any test failed.
import { existsSync, readFileSync } from 'node:fs'

const [statusArg, ...files] = process.argv.slice(2)
const status = Number(statusArg ?? '1')

let passed = 0
let failed = 0
let skipped = 0
const pgStatuses = []
for (const file of files) {
  if (!existsSync(file)) {
    // Type-check, startup or an earlier step failed before this vitest run could report.
    console.log(`ci: ${file} is missing: that test run did not complete`)
    failed += 1
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed += report.numPassedTests ?? 0
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  // A suite that failed to load has no failed tests but must still count as a failure.
  failed += Math.max(report.numFailedTests ?? 0, report.numFailedTestSuites ?? 0)
  // The PostgreSQL tests (describe titles naming PostgreSQL): how many really ran.
  pgStatuses.push(
    ...(report.testResults ?? [])
      .flatMap((result) => result.assertionResults ?? [])
      .filter((test) => (test.ancestorTitles ?? []).some((title) => title.includes('PostgreSQL')))
      .map((test) => test.status),
  )
}
if (failed === 0 && status !== 0) failed = 1

const pgRan = pgStatuses.filter((s) => s === 'passed' || s === 'failed').length
console.log(`PostgreSQL tests executed: ${pgRan} (${pgStatuses.length - pgRan} skipped)`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || status !== 0 ? 1 : 0)
