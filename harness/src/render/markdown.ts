/** summary.md: short enough for a CI step summary, enough to act on a red run. */

import { conformanceOf } from '../conformance.ts'
import { computeCoverage } from '../coverage.ts'
import { formatTotalsLine } from '../stream.ts'
import type { CaseRecord, Outcome, Report } from '../types.ts'
import { replayOf } from '../replay.ts'
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

function caseRow(c: CaseRecord, report: Report): string {
  const expectation = c.expectation ? ` (expected ${c.expectation.expected.join('/')}: ${c.expectation.reason})` : ''
  const replay = c.outcome === 'fail' || c.outcome === 'warn' || c.outcome === 'error' ? `<br>replay: \`${replayOf(c, report.settings.seed, report.target)}\`` : ''
  return `| ${OutcomeSymbols[c.outcome]} | \`${c.id}\` | ${c.level} | ${c.requirements.join(', ')} | ${markdownCell(c.message + expectation)}${replay} |`
}

function table(cases: readonly CaseRecord[], report: Report): string[] {
  const lines = ['| outcome | case | level | requirements | message |', '|---|---|---|---|---|']
  for (const c of cases.slice(0, MaxRows)) lines.push(caseRow(c, report))
  if (cases.length > MaxRows) lines.push(`| | … ${cases.length - MaxRows} more | | | |`)
  return lines
}

/**
 * Conformance first, as counts: MUST and SHOULD cases passed of those that applied, per
 * profile. Never the word "pass" for a relay that failed or errored on a MUST case.
 */
function conformanceLines(report: Report): string[] {
  if (!report.probe.reachable) return ['Conformance: **not tested** (the target could not be reached)']
  return conformanceOf(report).profiles.map((p) => {
    const verdict = p.must.applicable === 0 ? '**no MUST case applied**' : p.conformant ? '**conformant**' : '**not conformant**'
    const missed = p.must.applicable - p.must.passed
    return `Conformance, ${p.profile} profile: ${verdict}: MUST ${p.must.passed} of ${p.must.applicable} passed${missed > 0 ? ` (${missed} failed or errored)` : ''}, SHOULD ${p.should.passed} of ${p.should.applicable}.`
  })
}

/** The gate is about regressions against the expectations file, not about conformance. */
export function gateText(report: Pick<Report, 'verdict' | 'expectationsFile'>): string {
  const { verdict } = report
  const against = report.expectationsFile ? ` against \`${report.expectationsFile}\`` : ''
  const word = verdict.exitCode === 0 ? '**clean**' : verdict.exitCode === 3 ? '**unreachable**' : verdict.exitCode === 2 ? '**usage error**' : '**regressed**'
  return `${word}${against}: ${verdict.reason} (exit code ${verdict.exitCode})`
}

export function renderSummary(report: Report): string {
  const { totals, verdict, target, probe } = report
  const lines: string[] = [
    `# NIP-AP conformance: ${target.name}`,
    '',
    ...conformanceLines(report),
    '',
    `CI gate: ${gateText(report)}`,
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
    lines.push(`## Failing (${counted.length})`, '', ...table(counted, report), '')
  }
  const warned = report.cases.filter((c) => c.outcome === 'warn' && !failing.has(c.id))
  if (warned.length > 0) lines.push(`## Warnings: SHOULD not met (${warned.length})`, '', ...table(warned, report), '')
  const anticipated = report.cases.filter((c) => !failing.has(c.id) && c.expectation && c.outcome !== 'pass')
  if (anticipated.length > 0) lines.push(`## Expected failures and skips (${anticipated.length})`, '', ...table(anticipated, report), '')

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
