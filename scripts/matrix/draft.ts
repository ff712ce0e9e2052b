/**
 * Drafts an expectations file from a run (`npm run matrix -- --draft-expectations`):
 * every case that did not pass gets an entry naming its outcome, with a draft reason a
 * person must replace after reading the transcript. Existing entries keep their place and
 * reason; an entry that did not foresee the outcome seen now gets it added.
 */

import { type Expectation, findExpectation } from '../../harness/src/expectations.ts'
import type { Outcome, Report } from '../../harness/src/types.ts'

/** Reasons starting with this are drafts; the matrix gate refuses them. */
export const DraftReasonPrefix = 'TODO: '

export interface ExpectationsJson {
  version: 1
  expectations: Array<{ case: string; outcome: Outcome | Outcome[]; reason: string; link?: string }>
}

export interface DraftResult {
  file: ExpectationsJson
  added: string[]
  widened: string[]
  /** Exact entries whose case passed in this run (flaky, or fixed: a person decides). */
  passedNow: string[]
}

const needsEntry = (outcome: Outcome): boolean => outcome === 'fail' || outcome === 'warn' || outcome === 'error'

function outcomesOf(entry: ExpectationsJson['expectations'][number]): Outcome[] {
  return typeof entry.outcome === 'string' ? [entry.outcome] : entry.outcome
}

export function draftExpectations(report: Report, existing: ExpectationsJson | undefined): DraftResult {
  const entries = (existing?.expectations ?? []).map((e) => ({ ...e }))
  const added: string[] = []
  const widened: string[] = []
  const passedNow: string[] = []
  const fresh: typeof entries = []
  for (const c of report.cases) {
    const parsed: Expectation[] = entries.map((e) => ({ case: e.case, outcome: outcomesOf(e), reason: e.reason }))
    const match = findExpectation(c.id, parsed)
    const entry = match ? entries[parsed.indexOf(match)] : undefined
    if (c.outcome === 'pass') {
      if (entry && entry.case === c.id && !outcomesOf(entry).includes('pass')) passedNow.push(c.id)
      continue
    }
    if (!needsEntry(c.outcome)) continue
    if (entry && outcomesOf(entry).includes(c.outcome)) continue
    if (entry && entry.case === c.id) {
      entry.outcome = [...outcomesOf(entry), c.outcome]
      widened.push(c.id)
      continue
    }
    fresh.push({ case: c.id, outcome: c.outcome, reason: `${DraftReasonPrefix}${c.message}` })
    added.push(c.id)
  }
  fresh.sort((a, b) => (a.case < b.case ? -1 : a.case > b.case ? 1 : 0))
  return { file: { version: 1, expectations: [...entries, ...fresh] }, added, widened, passedNow }
}

/** Case patterns whose reason is still a draft. */
export function draftReasons(file: ExpectationsJson): string[] {
  return file.expectations.filter((e) => e.reason.startsWith(DraftReasonPrefix)).map((e) => e.case)
}

export function formatExpectations(file: ExpectationsJson): string {
  return `${JSON.stringify(file, null, 2)}\n`
}
