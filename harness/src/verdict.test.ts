import { describe, expect, test } from 'vitest'
import { ExitCodeTable, decideVerdict, formatExitCodeTable } from './verdict.ts'

describe('decideVerdict', () => {
  test('0 when nothing counts against the run', () => {
    expect(decideVerdict({ reachable: true, failing: [], runErrors: [] }).exitCode).toBe(0)
  })
  test('1 for unexpected failures, naming them', () => {
    expect(decideVerdict({ reachable: true, failing: ['a.b'], runErrors: [] })).toMatchObject({ exitCode: 1, failing: ['a.b'] })
  })
  test('1 for errors outside any case, even with every case passing', () => {
    expect(decideVerdict({ reachable: true, failing: [], runErrors: ['suites/x.test.ts: SyntaxError'] }).exitCode).toBe(1)
  })
  test('3 when the target is unreachable, whatever else happened', () => {
    expect(decideVerdict({ reachable: false, failing: ['a.b'], runErrors: [] }).exitCode).toBe(3)
  })
})

test('the exit code table lists 0 to 3 once each, as --help prints it', () => {
  expect(ExitCodeTable.map(([code]) => code)).toEqual([0, 1, 2, 3])
  expect(formatExitCodeTable().split('\n')).toHaveLength(4)
})
