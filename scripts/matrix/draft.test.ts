import { describe, expect, test } from 'vitest'
import type { Outcome, Report } from '../../harness/src/types.ts'
import { DraftReasonPrefix, draftExpectations, draftReasons } from './draft.ts'

function reportWith(outcomes: Record<string, Outcome>): Report {
  const cases = Object.entries(outcomes).map(([id, outcome]) => ({ id, outcome, message: `message of ${id}` }))
  return { cases } as unknown as Report // only cases are read
}

describe('draftExpectations', () => {
  test('an entry for every fail, warn and error, sorted by id, with a draft reason; passes and skips get none', () => {
    const draft = draftExpectations(reportWith({ 'b.warned': 'warn', 'a.failed': 'fail', 'c.errored': 'error', 'd.passed': 'pass', 'e.skipped': 'skip' }), undefined)
    expect(draft.file).toEqual({
      version: 1,
      expectations: [
        { case: 'a.failed', outcome: 'fail', reason: `${DraftReasonPrefix}message of a.failed` },
        { case: 'b.warned', outcome: 'warn', reason: `${DraftReasonPrefix}message of b.warned` },
        { case: 'c.errored', outcome: 'error', reason: `${DraftReasonPrefix}message of c.errored` },
      ],
    })
    expect(draftReasons(draft.file)).toEqual(['a.failed', 'b.warned', 'c.errored'])
  })

  test('written reasons and their order stay; a new outcome widens the exact entry; a pattern covers its cases', () => {
    const existing = {
      version: 1 as const,
      expectations: [
        { case: 'slug', outcome: 'fail' as const, reason: 'no slug rules' },
        { case: 'nip01.order', outcome: 'warn' as const, reason: 'ties in arrival order' },
      ],
    }
    const draft = draftExpectations(reportWith({ 'slug.a': 'fail', 'slug.b': 'error', 'nip01.order': 'pass', 'nip01.big': 'error' }), existing)
    expect(draft.file.expectations).toEqual([
      { case: 'slug', outcome: 'fail', reason: 'no slug rules' },
      { case: 'nip01.order', outcome: 'warn', reason: 'ties in arrival order' },
      { case: 'nip01.big', outcome: 'error', reason: `${DraftReasonPrefix}message of nip01.big` },
      { case: 'slug.b', outcome: 'error', reason: `${DraftReasonPrefix}message of slug.b` },
    ])
    expect(draft.passedNow).toEqual(['nip01.order'])
    expect(existing.expectations[1]).toEqual({ case: 'nip01.order', outcome: 'warn', reason: 'ties in arrival order' })

    const widened = draftExpectations(reportWith({ 'nip01.order': 'error' }), existing)
    expect(widened.widened).toEqual(['nip01.order'])
    expect(widened.file.expectations[1]).toEqual({ case: 'nip01.order', outcome: ['warn', 'error'], reason: 'ties in arrival order' })
  })
})
