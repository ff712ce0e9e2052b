/** The matrix's summary.md: targets side by side, then every case that differs. */

import type { Conformance } from '../conformance.ts'
import type { MatrixReport } from '../matrix.ts'
import { formatTotalsLine } from '../stream.ts'
import { markdownCell } from './escape.ts'
import { caseAnchor } from './html.ts'
import { OutcomeSymbols } from './markdown.ts'

/** `core: ❌ MUST 56/58 · SHOULD 3/4` per profile; never "pass" beside a failed MUST. */
export function conformanceCell(conformance: Conformance, reachable: boolean): string {
  if (!reachable) return 'not tested'
  return conformance.profiles
    .map((p) => `${p.profile}: ${p.must.applicable === 0 ? '—' : p.conformant ? '✅' : '❌'} MUST ${p.must.passed}/${p.must.applicable} · SHOULD ${p.should.passed}/${p.should.applicable}`)
    .join('<br>')
}

export function renderMatrixSummary(matrix: MatrixReport): string {
  const names = matrix.targets.map((t) => t.name)
  const lines = [
    '# NIP-AP conformance matrix',
    '',
    `Suite ${matrix.suiteVersion}, ${matrix.cases.length} cases, ${names.length} targets.`,
    '',
    'Conformance counts the MUST and SHOULD cases passed of those that applied (not skipped), per profile; the gate compares outcomes with the target\'s expectations file.',
    '',
    '| target | software | conformance | gate | totals | NIPs claimed |',
    '|---|---|---|---|---|---|',
  ]
  for (const t of matrix.targets) {
    const gate = t.verdict.exitCode === 0 ? 'clean' : t.verdict.exitCode === 3 ? 'unreachable' : 'regressed'
    lines.push(
      `| [${t.name}](${t.dir}/index.html) | ${t.software ? markdownCell(t.software) : '—'} | ${conformanceCell(t.conformance, t.probe.reachable)} | ${gate} | ${formatTotalsLine(t.totals)} | ${t.probe.supportedNips.join(', ') || '—'} |`,
    )
  }
  lines.push('', '## Cases', '', `| case | level | ${names.join(' | ')} |`, `|---|---|${names.map(() => '---|').join('')}`)
  for (const c of matrix.cases) {
    const cells = names.map((name) => {
      const cell = c.results[name]
      if (!cell) return '—'
      const expected = cell.expectation === 'met' && cell.outcome !== 'pass' ? ' (expected)' : ''
      const target = matrix.targets.find((t) => t.name === name)
      return `[${OutcomeSymbols[cell.outcome]}](${target?.dir ?? name}/index.html#${caseAnchor(c.id)})${expected}`
    })
    lines.push(`| \`${c.id}\` | ${c.level} | ${cells.join(' | ')} |`)
  }
  const disagreements = matrix.targets.flatMap((t) => t.probe.findings.filter((f) => f.agrees === false).map((f) => ({ t: t.name, f })))
  if (disagreements.length > 0) {
    lines.push('', '## Claims that disagree with behaviour', '', '| target | subject | claimed | observed |', '|---|---|---|---|')
    for (const { t, f } of disagreements) {
      lines.push(`| ${t} | ${markdownCell(f.subject)} | ${markdownCell(f.claimed ?? '—')} | ${markdownCell(f.observed)} |`)
    }
  }
  lines.push('')
  return lines.join('\n')
}
