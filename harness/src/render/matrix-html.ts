/**
 * The matrix's index.html: one self-contained page with targets × cases and
 * requirements × targets; every cell links to the case's transcript in the target's report.
 */

import type { MatrixReport } from '../matrix.ts'
import { formatTotalsLine } from '../stream.ts'
import type { Outcome } from '../types.ts'
import { escapeHtml as h } from './escape.ts'
import { Styles, badge, caseAnchor } from './html.ts'

const severity: Record<Outcome, number> = { skip: 0, pass: 1, warn: 2, error: 3, fail: 4 }

/** The worst outcome among a requirement's cases: all skipped is skip, any fail is fail. */
export function combineOutcomes(outcomes: readonly Outcome[]): Outcome | undefined {
  let worst: Outcome | undefined
  for (const outcome of outcomes) if (worst === undefined || severity[outcome] > severity[worst]) worst = outcome
  return worst
}

export function renderMatrixHtml(matrix: MatrixReport): string {
  const names = matrix.targets.map((t) => t.name)
  const dirOf = new Map(matrix.targets.map((t) => [t.name, t.dir]))
  const link = (name: string, caseId: string): string => `${h(dirOf.get(name) ?? name)}/index.html#${h(caseAnchor(caseId))}`

  const targetRows = matrix.targets
    .map(
      (t) =>
        `<tr><td><a href="${h(t.dir)}/index.html"><b>${h(t.name)}</b></a>${t.software ? `<br><small>${h(t.software)}</small>` : ''}<br><small class="mono">${h(t.url)}</small></td>` +
        `<td>${
          t.probe.reachable
            ? t.conformance.profiles
                .map((p) => `${h(p.profile)}: ${p.must.applicable > 0 && p.conformant ? '✔' : '✘'} MUST ${p.must.passed}/${p.must.applicable}, SHOULD ${p.should.passed}/${p.should.applicable}`)
                .join('<br>')
            : 'not tested'
        }</td>` +
        `<td>${t.verdict.exitCode === 0 ? 'clean' : t.verdict.exitCode === 3 ? 'unreachable' : 'regressed'}: ${h(t.verdict.reason)}</td>` +
        `<td class="mono">${h(formatTotalsLine(t.totals))}</td><td>${h(t.probe.supportedNips.join(', ') || '—')}</td>` +
        `<td>${Object.entries(t.probe.capabilities)
          .map(([name, c]) => `<span title="${h(c.reason)}">${c.available ? '✔' : '✘'} ${h(name)}</span>`)
          .join('<br>')}</td></tr>`,
    )
    .join('')

  const caseRows = matrix.cases
    .map((c) => {
      const cells = names
        .map((name) => {
          const cell = c.results[name]
          if (!cell) return '<td class="muted">—</td>'
          const expected = cell.expectation === 'met' && cell.outcome !== 'pass' ? ' <small>expected</small>' : ''
          const title = cell.expectationReason ? `${cell.message}\nexpected: ${cell.expectationReason}` : cell.message
          return `<td title="${h(title)}"><a href="${link(name, c.id)}">${badge(cell.outcome)}</a>${expected}</td>`
        })
        .join('')
      return `<tr><td><code>${h(c.id)}</code><br><small>${h(c.title)}</small></td><td>${c.level}</td><td class="mono">${c.requirements.map(h).join('<br>')}</td>${cells}</tr>`
    })
    .join('')

  const requirementRows = matrix.catalog.requirements
    .filter((r) => r.relayTestable || matrix.cases.some((c) => c.requirements.includes(r.id)))
    .map((r) => {
      const covering = matrix.cases.filter((c) => c.requirements.includes(r.id))
      const cells = names
        .map((name) => {
          const outcomes = covering.map((c) => c.results[name]?.outcome).filter((o): o is Outcome => o !== undefined)
          const worst = combineOutcomes(outcomes)
          return worst ? `<td>${badge(worst)}</td>` : '<td class="muted">no case</td>'
        })
        .join('')
      return `<tr class="${covering.length ? '' : 'cov-uncovered'}"><td class="mono">${h(r.id)}</td><td>${h(r.level)}</td><td>${h(r.summary)}</td>${cells}</tr>`
    })
    .join('')

  const findings = matrix.targets
    .flatMap((t) =>
      t.probe.findings.map(
        (f) =>
          `<tr class="${f.agrees === false ? 'disagree' : ''}"><td>${h(t.name)}</td><td>${h(f.subject)}</td><td>${h(f.claimed ?? '—')}</td><td>${h(f.observed)}</td><td>${f.agrees === null ? 'unknown' : f.agrees ? 'agrees' : '<b>disagrees</b>'}</td></tr>`,
      ),
    )
    .join('')

  const head = names.map((n) => `<th>${h(n)}</th>`).join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NIP-AP conformance matrix</title>
<style>${Styles}</style>
</head>
<body>
<header>
<h1>NIP-AP conformance matrix</h1>
<p>Suite ${h(matrix.suiteVersion)} · ${matrix.cases.length} cases · ${names.length} targets · generated ${h(matrix.generatedAt)}</p>
<nav><a href="#targets">targets</a> · <a href="#cases">cases</a> · <a href="#requirements">requirements</a> · <a href="#findings">probe findings</a></nav>
</header>
<section id="targets"><h2>Targets</h2>
<table><thead><tr><th>target</th><th>conformance (MUST, SHOULD passed / applicable)</th><th>CI gate</th><th>totals</th><th>NIPs claimed</th><th>capabilities</th></tr></thead><tbody>${targetRows}</tbody></table></section>
<section id="cases"><h2>Cases × targets</h2>
<table><thead><tr><th>case</th><th>level</th><th>requirements</th>${head}</tr></thead><tbody>${caseRows}</tbody></table></section>
<section id="requirements"><h2>Requirements × targets</h2><p class="muted">Worst outcome among the requirement's cases (skip only when every case skipped).</p>
<table><thead><tr><th>id</th><th>level</th><th>requirement</th>${head}</tr></thead><tbody>${requirementRows}</tbody></table></section>
<section id="findings"><h2>NIP-11 claims and observed behaviour</h2>
<table><thead><tr><th>target</th><th>subject</th><th>claimed</th><th>observed</th><th></th></tr></thead><tbody>${findings}</tbody></table></section>
</body>
</html>
`
}
