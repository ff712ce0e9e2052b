/** Writes every rendering of a report into the output directory. */

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Report } from '../types.ts'
import { renderHtml } from './html.ts'
import { renderJunit } from './junit.ts'
import { renderSummary } from './markdown.ts'

export const ReportFiles = {
  json: 'report.json',
  junit: 'junit.xml',
  summary: 'summary.md',
  html: 'index.html',
} as const

export function writeReports(report: Report, outDir: string): void {
  writeFileSync(join(outDir, ReportFiles.json), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(join(outDir, ReportFiles.junit), renderJunit(report))
  writeFileSync(join(outDir, ReportFiles.summary), renderSummary(report))
  writeFileSync(join(outDir, ReportFiles.html), renderHtml(report))
}
