/** summary.md: short enough for a CI step summary, enough to act on a red run. */

import { computeCoverage } from '../coverage.ts'
import { formatTotalsLine } from '../stream.ts'
import type { CaseRecord, Outcome, Report } from '../types.ts'
import { markdownCell } from './escape.ts'

export const OutcomeSymbols: Record<Outcome, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  warn: '⚠️ warn',
  skip: '⏭️ skip',
  error: '💥 error',
}

/** Most rows shown in a case table; the rest are counted (index.html has them all). */
const MaxRows = 50

function caseRow(c: CaseRecord): string {
  const expectation = c.expectation ? ` (expected ${c.expectation.expected.join('/')}: ${c.expectation.reason})` : ''
  const replay = c.property ? `<br>replay: \`${c.property.replay}\`` : ''
  return `| ${OutcomeSymbols[c.outcome]} | \`${c.id}\` | ${c.level} | ${c.requirements.join(', ')} | ${markdownCell(c.message + expectation)}${replay} |`
}

function table(cases: readonly CaseRecord[]): string[] {
  const lines = ['| outcome | case | level | requirements | message |', '|---|---|---|---|---|']
  for (const c of cases.slice(0, MaxRows)) lines.push(caseRow(c))
  if (cases.length > MaxRows) lines.push(`| | … ${cases.length - MaxRows} more | | | |`)
  return lines
}

export function renderSummary(report: Report): string {
  const { totals, verdict, target, probe } = report
  const verdictText = verdict.exitCode === 0 ? '**PASS**' : verdict.exitCode === 3 ? '**UNREACHABLE**' : '**FAIL**'
  const lines: string[] = [
    `# NIP-AP conformance: ${target.name}`,
    '',
    `${verdictText}: ${verdict.reason} (exit code ${verdict.exitCode})`,
    '',
    `\`${formatTotalsLine(totals)}\``,
    '',
    `| | |`,
    `|---|---|`,
    `| target | \`${target.url}\`${target.embedded ? ' (embedded reference relay)' : ''} |`,
    `| HTTP | \`${target.httpUrl}\` |`,
    `| profile | ${report.settings.profile}${report.settings.strict ? ', --strict' : ''} |`,
    `| seed | ${report.settings.seed}${report.settings.runs ? `, runs ${report.settings.runs}` : ''} |`,
    `| suite | ${report.suiteVersion} (report format v${report.version}, contract ${report.contract}) |`,
    `| duration | ${(report.durationMs / 1000).toFixed(1)} s |`,
    '',
  ]

  if (!probe.reachable) {
    lines.push(`The target could not be reached: ${markdownCell(probe.unreachableReason ?? 'unknown reason', 400)}`, '')
  }

  const failing = new Set(verdict.failing)
  const counted = report.cases.filter((c) => failing.has(c.id))
  if (counted.length > 0) {
    lines.push(`## Failing (${counted.length})`, '', ...table(counted), '')
  }
  const warned = report.cases.filter((c) => c.outcome === 'warn' && !failing.has(c.id))
  if (warned.length > 0) lines.push(`## Warnings: SHOULD not met (${warned.length})`, '', ...table(warned), '')
  const anticipated = report.cases.filter((c) => !failing.has(c.id) && c.expectation && c.outcome !== 'pass')
  if (anticipated.length > 0) lines.push(`## Expected failures and skips (${anticipated.length})`, '', ...table(anticipated), '')

  if (report.expectations) {
    const e = report.expectations
    lines.push(`## Expectations (\`${e.file}\`)`, '')
    lines.push(`- unexpected failures: ${e.unexpectedFailures.length ? e.unexpectedFailures.map((id) => `\`${id}\``).join(', ') : 'none'}`)
    lines.push(`- expected to fail but passed: ${e.unexpectedPasses.length ? e.unexpectedPasses.map((id) => `\`${id}\``).join(', ') : 'none'}`)
    if (e.unused.length) lines.push(`- entries matching no case: ${e.unused.map((id) => `\`${id}\``).join(', ')}`)
    lines.push('')
  }

  const skipped = report.cases.filter((c) => c.outcome === 'skip' && !c.expectation)
  if (skipped.length > 0) {
    const reasons = new Map<string, number>()
    for (const c of skipped) reasons.set(c.message, (reasons.get(c.message) ?? 0) + 1)
    lines.push(`## Skipped (${skipped.length})`, '', '| cases | reason |', '|---|---|')
    for (const [reason, count] of [...reasons.entries()].sort((a, b) => b[1] - a[1])) lines.push(`| ${count} | ${markdownCell(reason)} |`)
    lines.push('')
  }

  if (report.runErrors.length > 0) {
    lines.push('## Errors outside any case', '', ...report.runErrors.map((e) => `- ${markdownCell(e, 400)}`), '')
  }

  const disagreements = probe.findings.filter((f) => f.agrees === false)
  const caseFindings = report.cases.flatMap((c) => c.findings).filter((f) => f.agrees === false)
  lines.push('## Probe', '')
  lines.push('| capability | available | detail |', '|---|---|---|')
  for (const [name, capability] of Object.entries(probe.capabilities)) {
    lines.push(`| ${name} | ${capability.available ? 'yes' : 'no'} | ${markdownCell(capability.reason)} |`)
  }
  const clock = probe.clock
  lines.push(
    '',
    `Clock offset ${clock.offsetSeconds}s ± ${clock.uncertaintySeconds}s (${clock.method})` +
      (clock.window ? `; window -${clock.window.lower}s/+${clock.window.upper}s from ${clock.window.source}` : '; window unknown') +
      '.',
    '',
  )
  const allDisagreements = [...disagreements, ...caseFindings]
  if (allDisagreements.length > 0) {
    lines.push('### Claims that disagree with behaviour', '', '| subject | claimed | observed | source |', '|---|---|---|---|')
    for (const f of allDisagreements) {
      lines.push(`| ${markdownCell(f.subject)} | ${markdownCell(f.claimed ?? '—')} | ${markdownCell(f.observed)} | ${f.source} |`)
    }
    lines.push('')
  }

  if (report.catalog.requirements.length > 0) {
    const coverage = computeCoverage(report.catalog.requirements, report.cases)
    const { counts } = coverage
    lines.push(
      '## Coverage',
      '',
      `${counts.covered} of ${counts.requirements} requirements have a case in this run; ${counts.uncovered} relay-testable requirement(s) have none.`,
      '',
    )
  } else if (report.catalog.error) {
    lines.push('## Coverage', '', `Not computed: ${markdownCell(report.catalog.error, 300)}`, '')
  }
  lines.push('Full report: `index.html` (transcripts of every case), `report.json`, `junit.xml`.', '')
  return lines.join('\n')
}
