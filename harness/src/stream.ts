/**
 * The report stream: JSON Lines, one record per line (header, probe, case..., footer).
 * It is the single source for every rendering; `assembleReport` turns it into report.json.
 */

import { computeConformance } from './conformance.ts'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import type { CaseRecord, ExpectationsSummary, FooterRecord, HeaderRecord, ProbeRecord, Report, StreamRecord, Totals } from './types.ts'

export const StreamFileName = 'report.jsonl'

export class StreamWriter {
  constructor(readonly file: string) {
    writeFileSync(file, '')
  }

  write(record: StreamRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`)
  }
}

export function readStream(file: string): StreamRecord[] {
  return parseStream(readFileSync(file, 'utf8'))
}

export function parseStream(text: string): StreamRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, index) => {
      try {
        return JSON.parse(line) as StreamRecord
      } catch (error) {
        throw new Error(`report stream line ${index + 1} is not JSON: ${(error as Error).message}`)
      }
    })
}

export function emptyTotals(): Totals {
  return { cases: 0, pass: 0, fail: 0, warn: 0, skip: 0, error: 0 }
}

export function totalsOf(cases: readonly Pick<CaseRecord, 'outcome'>[]): Totals {
  const totals = emptyTotals()
  for (const c of cases) {
    totals.cases += 1
    totals[c.outcome] += 1
  }
  return totals
}

/** The closing console line: `N cases, N passed, N failed, N warned, N skipped, N errored`. */
export function formatTotalsLine(totals: Totals): string {
  return `${totals.cases} cases, ${totals.pass} passed, ${totals.fail} failed, ${totals.warn} warned, ${totals.skip} skipped, ${totals.error} errored`
}

/** Builds report.json from the stream; throws when the stream is incomplete. */
export function assembleReport(records: readonly StreamRecord[]): Report {
  const header = records.find((r): r is HeaderRecord => r.type === 'header')
  const probe = records.find((r): r is ProbeRecord => r.type === 'probe')
  const footer = records.find((r): r is FooterRecord => r.type === 'footer')
  if (!header || !probe || !footer) throw new Error('report stream is incomplete: header, probe and footer records are required')
  const statuses = footer.expectations?.statuses ?? {}
  const cases: CaseRecord[] = []
  for (const record of records) {
    if (record.type !== 'case') continue
    const { type: _type, ...rest } = record
    const expectation = statuses[rest.id]
    cases.push(expectation ? { ...rest, expectation } : rest)
  }
  // Completion order depends on scheduling; the report is ordered by id so runs diff cleanly.
  cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const { type: _h, ...head } = header
  let expectations: ExpectationsSummary | undefined
  if (footer.expectations) {
    const { statuses: _s, ...summary } = footer.expectations
    expectations = summary
  }
  return {
    ...head,
    finishedAt: footer.finishedAt,
    durationMs: footer.durationMs,
    probe: probe.probe,
    totals: footer.totals,
    conformance: footer.conformance ?? computeConformance(cases, header.settings.profile),
    cases,
    ...(expectations ? { expectations } : {}),
    verdict: footer.verdict,
    runErrors: footer.runErrors,
  }
}
