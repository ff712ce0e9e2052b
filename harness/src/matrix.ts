/**
 * The matrix: the same suites against several targets, one full report per target under
 * DIR/<name>/, and one comparison (report.json, summary.md, index.html) at DIR/.
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Conformance, conformanceOf } from './conformance.ts'
import { renderMatrixHtml } from './render/matrix-html.ts'
import { renderMatrixSummary } from './render/matrix-markdown.ts'
import { type RunOptions, SuiteVersion, runConformance } from './run.ts'
import type { CaseExpectationStatus, CatalogSnapshot, Finding, Level, Outcome, ProbeResult, Profile, Report, Totals, Verdict } from './types.ts'
import { ReportFiles } from './render/write.ts'

export const MatrixFormatVersion = 1

export interface MatrixTarget {
  name: string
  /** Omitted: the embedded reference relay. */
  url?: string
  httpUrl?: string
  expectationsFile?: string
  /** What runs behind the URL, e.g. `@welshman/relay 0.5.3`; shown beside the name. */
  software?: string
}

export interface MatrixTargetSummary {
  name: string
  url: string
  httpUrl: string
  embedded: boolean
  software?: string
  /** Relative path of the target's own report directory. */
  dir: string
  totals: Totals
  /** MUST and SHOULD cases passed of those that applied, per profile; apart from the gate (`verdict`). */
  conformance: Conformance
  verdict: Verdict
  durationMs: number
  expectationsFile?: string
  probe: {
    reachable: boolean
    unreachableReason?: string
    supportedNips: number[]
    capabilities: ProbeResult['capabilities']
    clock: ProbeResult['clock']
    findings: Finding[]
  }
}

export interface MatrixCell {
  outcome: Outcome
  message: string
  expectation?: CaseExpectationStatus['status']
  /** The expectations file's reason, when the case has an entry. */
  expectationReason?: string
}

export interface MatrixCase {
  id: string
  title: string
  area: string
  requirements: string[]
  level: Level
  profile: Profile
  /** Keyed by target name; absent when the target did not run the case (unreachable). */
  results: Record<string, MatrixCell>
}

export interface MatrixReport {
  format: 'nip-ap-conformance-matrix'
  version: typeof MatrixFormatVersion
  suiteVersion: string
  generatedAt: string
  catalog: CatalogSnapshot
  targets: MatrixTargetSummary[]
  cases: MatrixCase[]
}

export interface MatrixOptions {
  targets: MatrixTarget[]
  out: string
  run: Omit<RunOptions, 'out' | 'url' | 'httpUrl' | 'name' | 'expectationsFile'>
  onTargetDone?: (name: string, report: Report) => void
  progress?: boolean
}

export function buildMatrix(reports: ReadonlyArray<{ dir: string; report: Report; software?: string }>): MatrixReport {
  const cases = new Map<string, MatrixCase>()
  for (const { report } of reports) {
    for (const c of report.cases) {
      const entry =
        cases.get(c.id) ??
        ({ id: c.id, title: c.title, area: c.area, requirements: c.requirements, level: c.level, profile: c.profile, results: {} } as MatrixCase)
      entry.results[report.target.name] = {
        outcome: c.outcome,
        message: c.message,
        ...(c.expectation ? { expectation: c.expectation.status, expectationReason: c.expectation.reason } : {}),
      }
      cases.set(c.id, entry)
    }
  }
  const first = reports[0]?.report
  return {
    format: 'nip-ap-conformance-matrix',
    version: MatrixFormatVersion,
    suiteVersion: SuiteVersion,
    generatedAt: new Date().toISOString(),
    catalog: first?.catalog ?? { source: '', requirements: [], error: 'no target ran' },
    targets: reports.map(({ dir, report, software }) => ({
      name: report.target.name,
      url: report.target.url,
      httpUrl: report.target.httpUrl,
      embedded: report.target.embedded,
      ...(software ? { software } : {}),
      dir,
      totals: report.totals,
      conformance: conformanceOf(report),
      verdict: report.verdict,
      durationMs: report.durationMs,
      ...(report.expectationsFile ? { expectationsFile: report.expectationsFile } : {}),
      probe: {
        reachable: report.probe.reachable,
        ...(report.probe.unreachableReason ? { unreachableReason: report.probe.unreachableReason } : {}),
        supportedNips: report.probe.nip11.supportedNips,
        capabilities: report.probe.capabilities,
        clock: report.probe.clock,
        findings: [...report.probe.findings, ...report.cases.flatMap((c) => c.findings)],
      },
    })),
    cases: [...cases.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  }
}

export async function runMatrix(options: MatrixOptions): Promise<{ matrix: MatrixReport; outDir: string; exitCode: number }> {
  const outDir = resolve(options.out)
  mkdirSync(outDir, { recursive: true })
  const reports: Array<{ dir: string; report: Report; software?: string }> = []
  for (const target of options.targets) {
    const { report } = await runConformance({
      ...options.run,
      ...(target.url ? { url: target.url } : {}),
      ...(target.httpUrl ? { httpUrl: target.httpUrl } : {}),
      ...(target.expectationsFile ? { expectationsFile: target.expectationsFile } : {}),
      name: target.name,
      out: join(outDir, target.name),
      progress: options.progress ?? false,
    })
    reports.push({ dir: target.name, report, ...(target.software ? { software: target.software } : {}) })
    options.onTargetDone?.(target.name, report)
  }
  const matrix = buildMatrix(reports)
  writeMatrix(matrix, outDir)
  const exitCode = reports.every(({ report }) => report.verdict.exitCode === 0) ? 0 : 1
  return { matrix, outDir, exitCode }
}

export function writeMatrix(matrix: MatrixReport, outDir: string): void {
  writeFileSync(join(outDir, ReportFiles.json), `${JSON.stringify(matrix, null, 2)}\n`)
  writeFileSync(join(outDir, ReportFiles.summary), renderMatrixSummary(matrix))
  writeFileSync(join(outDir, ReportFiles.html), renderMatrixHtml(matrix))
}
