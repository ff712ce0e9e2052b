import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { UsageError } from './errors.ts'
import { applyExpectations, findExpectation, loadExpectations, parseExpectations } from './expectations.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('expect-')

const file = parseExpectations(
  {
    version: 1,
    expectations: [
      { case: 'slug.*', outcome: 'fail', reason: 'no slug rules', link: 'https://example.org/issue/1' },
      { case: 'slug.boundary-lengths-accepted', outcome: ['pass', 'skip'], reason: 'exact id beats the pattern' },
      { case: 'threads', outcome: 'skip', reason: 'no HTTP bridge' },
      { case: 'never.matches', outcome: 'error', reason: 'stale entry' },
    ],
  },
  'expect.json',
)

const strictness = { strict: false, strictExpectations: false }

describe('parseExpectations', () => {
  test('accepts one outcome or a list, a reason and an optional link', () => {
    expect(file.expectations[0]).toEqual({ case: 'slug.*', outcome: ['fail'], reason: 'no slug rules', link: 'https://example.org/issue/1' })
  })

  test.each([
    [{ version: 2, expectations: [] }, /version/],
    [{ version: 1 }, /expectations/],
    [{ version: 1, expectations: [{ case: 'a', outcome: 'broken', reason: 'x' }] }, /outcome/],
    [{ version: 1, expectations: [{ case: 'a', outcome: 'fail' }] }, /reason/],
    [{ version: 1, expectations: [{ case: '', outcome: 'fail', reason: 'x' }] }, /case/],
  ])('refuses %j as a usage error', (value, message) => {
    expect(() => parseExpectations(value)).toThrow(UsageError)
    expect(() => parseExpectations(value)).toThrow(message)
  })

  test('an unreadable or non-JSON file is a usage error naming the file', () => {
    const dir = scratch()
    writeFileSync(join(dir, 'bad.json'), '{ nope')
    expect(() => loadExpectations(join(dir, 'bad.json'))).toThrow(/bad\.json is not JSON/)
    expect(() => loadExpectations(join(dir, 'missing.json'))).toThrow(/cannot read/)
  })
})

describe('findExpectation', () => {
  test('an exact id wins over an earlier pattern; dotted prefixes and globs match', () => {
    expect(findExpectation('slug.boundary-lengths-accepted', file.expectations)?.reason).toBe('exact id beats the pattern')
    expect(findExpectation('slug.invalid-refused', file.expectations)?.reason).toBe('no slug rules')
    expect(findExpectation('threads.depth-zero', file.expectations)?.reason).toBe('no HTTP bridge')
    expect(findExpectation('replaceable.tie', file.expectations)).toBeUndefined()
  })
})

describe('applyExpectations', () => {
  test('without a file, fail and error count against the run, warn only under --strict', () => {
    const cases = [
      { id: 'a.pass', outcome: 'pass' as const },
      { id: 'a.fail', outcome: 'fail' as const },
      { id: 'a.warn', outcome: 'warn' as const },
      { id: 'a.error', outcome: 'error' as const },
      { id: 'a.skip', outcome: 'skip' as const },
    ]
    expect(applyExpectations(cases, undefined, strictness).failing).toEqual(['a.fail', 'a.error'])
    expect(applyExpectations(cases, undefined, { ...strictness, strict: true }).failing).toEqual(['a.fail', 'a.warn', 'a.error'])
    expect(applyExpectations(cases, undefined, strictness).summary).toBeUndefined()
  })

  test('expected failures do not count; unexpected ones do; a fixed case is reported and fails only with --strict-expectations', () => {
    const cases = [
      { id: 'slug.invalid-refused', outcome: 'fail' as const }, // expected fail: met
      { id: 'slug.uppercase', outcome: 'pass' as const }, // expected fail, passed
      { id: 'threads.depth', outcome: 'fail' as const }, // expected skip, failed
      { id: 'replaceable.tie', outcome: 'error' as const }, // no expectation
    ]
    const gate = applyExpectations(cases, file, strictness)
    expect(gate.failing).toEqual(['threads.depth', 'replaceable.tie'])
    expect(gate.statuses.get('slug.invalid-refused')?.status).toBe('met')
    expect(gate.statuses.get('slug.uppercase')?.status).toBe('unexpected-pass')
    expect(gate.statuses.get('threads.depth')?.status).toBe('unexpected-outcome')
    expect(gate.summary).toEqual({
      file: 'expect.json',
      unexpectedFailures: ['threads.depth', 'replaceable.tie'],
      unexpectedPasses: ['slug.uppercase'],
      unused: ['slug.boundary-lengths-accepted', 'never.matches'],
    })
    expect(applyExpectations(cases, file, { ...strictness, strictExpectations: true }).failing).toContain('slug.uppercase')
  })

  test('an expected failure that turns into a skip is reported but does not fail the run', () => {
    const gate = applyExpectations([{ id: 'slug.x', outcome: 'skip' }], file, strictness)
    expect(gate.failing).toEqual([])
    expect(gate.statuses.get('slug.x')?.status).toBe('unexpected-outcome')
  })
})
