/**
 * JUnit XML for CI. Per case: fail → <failure>, error → <error>, skip → <skipped>. A warn is
 * a <failure> only under --strict, else a pass with an `outcome` property. A failure the
 * expectations file anticipated is rendered as <skipped> so CI counts only regressions.
 */

import type { CaseRecord, Report } from '../types.ts'
import { replayOf } from '../replay.ts'
import { escapeXml } from './escape.ts'

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3)
}

function transcriptText(c: CaseRecord): string {
  return c.transcript.map((e) => `+${e.t}ms ${e.dir} ${e.conn} ${e.text}`).join('\n')
}

function caseXml(c: CaseRecord, strict: boolean, report: Report): { xml: string; kind: 'failure' | 'error' | 'skipped' | 'pass' } {
  const properties = [
    ['outcome', c.outcome],
    ['requirements', c.requirements.join(' ')],
    ['level', c.level],
    ['profile', c.profile],
    ...(c.outcome === 'fail' || c.outcome === 'warn' || c.outcome === 'error' ? [['replay', replayOf(c, report.settings.seed, report.target)]] : []),
    ...(c.expectation ? [['expectation', `${c.expectation.status}: expected ${c.expectation.expected.join('/')} (${c.expectation.reason})`]] : []),
  ]
    .map(([name, value]) => `        <property name="${escapeXml(name ?? '')}" value="${escapeXml(value ?? '')}"/>`)
    .join('\n')
  const anticipated = c.expectation?.status === 'met' && c.outcome !== 'pass'
  let kind: 'failure' | 'error' | 'skipped' | 'pass' = 'pass'
  let body = ''
  const message = escapeXml(c.message)
  const details = escapeXml(c.details ?? c.message)
  if (anticipated) {
    kind = 'skipped'
    body = `      <skipped message="${escapeXml(`expected ${c.outcome}: ${c.expectation?.reason ?? ''}`)}"/>\n`
  } else if (c.outcome === 'fail' || (c.outcome === 'warn' && strict)) {
    kind = 'failure'
    body = `      <failure message="${message}" type="${c.outcome}">${details}</failure>\n`
  } else if (c.outcome === 'error') {
    kind = 'error'
    body = `      <error message="${message}" type="error">${details}</error>\n`
  } else if (c.outcome === 'skip') {
    kind = 'skipped'
    body = `      <skipped message="${message}"/>\n`
  }
  const out = c.transcript.length > 0 ? `      <system-out>${escapeXml(transcriptText(c))}</system-out>\n` : ''
  const xml =
    `    <testcase classname="nip-ap.${escapeXml(c.area)}" name="${escapeXml(`${c.id}: ${c.title}`)}" time="${seconds(c.durationMs)}">\n` +
    `      <properties>\n${properties}\n      </properties>\n${body}${out}    </testcase>\n`
  return { xml, kind }
}

export function renderJunit(report: Report): string {
  const areas = new Map<string, CaseRecord[]>()
  for (const c of report.cases) areas.set(c.area, [...(areas.get(c.area) ?? []), c])
  let total = { tests: 0, failures: 0, errors: 0, skipped: 0 }
  const suites: string[] = []
  for (const [area, cases] of [...areas.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const rendered = cases.map((c) => caseXml(c, report.settings.strict, report))
    const counts = {
      tests: cases.length,
      failures: rendered.filter((r) => r.kind === 'failure').length,
      errors: rendered.filter((r) => r.kind === 'error').length,
      skipped: rendered.filter((r) => r.kind === 'skipped').length,
    }
    total = {
      tests: total.tests + counts.tests,
      failures: total.failures + counts.failures,
      errors: total.errors + counts.errors,
      skipped: total.skipped + counts.skipped,
    }
    const time = seconds(cases.reduce((sum, c) => sum + c.durationMs, 0))
    suites.push(
      `  <testsuite name="${escapeXml(area)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${time}" timestamp="${escapeXml(report.startedAt)}">\n` +
        rendered.map((r) => r.xml).join('') +
        '  </testsuite>\n',
    )
  }
  for (const error of report.runErrors) {
    total.tests += 1
    total.errors += 1
    suites.push(
      `  <testsuite name="harness" tests="1" failures="0" errors="1" skipped="0" time="0">\n` +
        `    <testcase classname="nip-ap.harness" name="run error" time="0">\n      <error message="${escapeXml(error)}" type="error"/>\n    </testcase>\n  </testsuite>\n`,
    )
  }
  if (!report.probe.reachable) {
    total.tests += 1
    total.errors += 1
    suites.push(
      `  <testsuite name="probe" tests="1" failures="0" errors="1" skipped="0" time="0">\n` +
        `    <testcase classname="nip-ap.probe" name="target reachable" time="0">\n      <error message="${escapeXml(report.probe.unreachableReason ?? 'unreachable')}" type="unreachable"/>\n    </testcase>\n  </testsuite>\n`,
    )
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="NIP-AP conformance: ${escapeXml(report.target.name)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}" time="${seconds(report.durationMs)}">\n` +
    suites.join('') +
    '</testsuites>\n'
  )
}
