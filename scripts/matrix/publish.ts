/**
 * Writes the published matrix from the runs' reports: each relay's report normalised
 * (labels instead of random keys, ids and ports) and rendered to DIR/<name>/index.html and
 * summary.md, then the comparison at DIR/ (report.json, summary.md, index.html).
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type MatrixReport, buildMatrix, writeMatrix } from '../../harness/src/matrix.ts'
import { renderHtml } from '../../harness/src/render/html.ts'
import { renderSummary } from '../../harness/src/render/markdown.ts'
import { ReportFiles } from '../../harness/src/render/write.ts'
import type { Report } from '../../harness/src/types.ts'
import { type NormaliseOptions, normaliseReport } from './normalise.ts'

export interface PublishedTarget {
  report: Report
  software?: string
}

export function publishMatrix(targets: readonly PublishedTarget[], outDir: string, options: NormaliseOptions = {}): MatrixReport {
  mkdirSync(outDir, { recursive: true })
  const published = targets.map(({ report, software }) => {
    const normalised = normaliseReport(report, options)
    const dir = normalised.target.name
    mkdirSync(join(outDir, dir), { recursive: true })
    writeFileSync(join(outDir, dir, ReportFiles.html), renderHtml(normalised))
    writeFileSync(join(outDir, dir, ReportFiles.summary), renderSummary(normalised))
    return { dir, report: normalised, ...(software ? { software } : {}) }
  })
  const matrix = buildMatrix(published)
  writeMatrix(matrix, outDir)
  return matrix
}

export const SummaryBlockStart = '<!-- matrix-summary:start (written by npm run matrix) -->'
export const SummaryBlockEnd = '<!-- matrix-summary:end -->'

/** The README's summary block: one row per relay, counts only (no dates, no timings). */
export function renderSummaryBlock(matrix: MatrixReport): string {
  const rows = matrix.targets.map((t) => {
    // Cases the expectations file lists, whatever they did this time: stable when a listed
    // case passes by chance (an order that depends on random ids).
    const expected = matrix.cases.filter((c) => c.results[t.name]?.expectation !== undefined).length
    const gate = t.verdict.exitCode === 0 ? 'clean' : t.verdict.exitCode === 3 ? 'unreachable' : 'regressed'
    const { cases, pass, fail, warn, skip, error } = t.totals
    const core = t.conformance.profiles.find((p) => p.profile === 'core')
    const must = core && t.probe.reachable ? `${core.must.passed}/${core.must.applicable}` : '—'
    return `| [${t.name}](${t.dir}/index.html) | ${t.software ?? '—'} | ${must} | ${cases} | ${pass} | ${fail} | ${warn} | ${skip} | ${error} | ${t.embedded ? 'none allowed' : expected} | ${gate} |`
  })
  return [
    SummaryBlockStart,
    `Suite ${matrix.suiteVersion}, ${matrix.cases.length} cases, fixed seed. Full table: [index.html](index.html) · [summary.md](summary.md).`,
    '',
    '| relay | software | core MUST passed | cases | pass | fail | warn | skip | error | known failures | gate |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    SummaryBlockEnd,
  ].join('\n')
}

/** Replaces the block between the markers; text without the markers is returned unchanged. */
export function replaceSummaryBlock(text: string, block: string): string {
  const start = text.indexOf(SummaryBlockStart)
  const end = text.indexOf(SummaryBlockEnd)
  if (start < 0 || end < start) return text
  return text.slice(0, start) + block + text.slice(end + SummaryBlockEnd.length)
}
