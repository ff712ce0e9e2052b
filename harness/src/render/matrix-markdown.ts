/** The matrix's summary.md: targets side by side, then every case that differs. */

import type { MatrixReport } from '../matrix.ts'
import { formatTotalsLine } from '../stream.ts'
import { markdownCell } from './escape.ts'
import { OutcomeSymbols } from './markdown.ts'

export function renderMatrixSummary(matrix: MatrixReport): string {
  const names = matrix.targets.map((t) => t.name)
  const lines = [
    '# NIP-AP conformance matrix',
    '',
    `Suite ${matrix.suiteVersion}, ${matrix.cases.length} cases, ${names.length} targets.`,
    '',
    '| target | verdict | totals | NIPs claimed |',
    '|---|---|---|---|',
  ]
  for (const t of matrix.targets) {
    const verdict = t.verdict.exitCode === 0 ? '✅ pass' : t.verdict.exitCode === 3 ? '💥 unreachable' : '❌ fail'
    lines.push(
      `| [${t.name}](${t.dir}/index.html) | ${verdict} | ${formatTotalsLine(t.totals)} | ${t.probe.supportedNips.join(', ') || '—'} |`,
    )
  }
  lines.push('', '## Cases', '', `| case | level | ${names.join(' | ')} |`, `|---|---|${names.map(() => '---|').join('')}`)
  for (const c of matrix.cases) {
    const cells = names.map((name) => {
      const cell = c.results[name]
      if (!cell) return '—'
      const expected = cell.expectation === 'met' && cell.outcome !== 'pass' ? ' (expected)' : ''
      return `${OutcomeSymbols[cell.outcome]}${expected}`
    })
    lines.push(`| \`${c.id}\` | ${c.level} | ${cells.join(' | ')} |`)
  }
  const disagreements = matrix.targets.flatMap((t) => t.probe.findings.filter((f) => !f.agrees).map((f) => ({ t: t.name, f })))
  if (disagreements.length > 0) {
    lines.push('', '## Claims that disagree with behaviour', '', '| target | subject | claimed | observed |', '|---|---|---|---|')
    for (const { t, f } of disagreements) {
      lines.push(`| ${t} | ${markdownCell(f.subject)} | ${markdownCell(f.claimed ?? '—')} | ${markdownCell(f.observed)} |`)
    }
  }
  lines.push('')
  return lines.join('\n')
}
