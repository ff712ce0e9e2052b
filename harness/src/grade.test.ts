import { describe, expect, test } from 'vitest'
import { gradeTest, isFailing } from './grade.ts'

const assertion = { name: 'AssertionError', message: 'expected the event to be refused, relay answered OK true ""' }
const harness = { name: 'HarnessError', message: 'timeout: ws1: no OK for 1234 within 5000 ms' }

describe('gradeTest', () => {
  test('a passing case is pass, or warn when a SHOULD soft check failed', () => {
    expect(gradeTest({ state: 'passed' }, { level: 'MUST' })).toEqual({ outcome: 'pass', message: '' })
    expect(gradeTest({ state: 'passed' }, { level: 'MUST', warnings: ['reads return only the head'] })).toMatchObject({
      outcome: 'warn',
      message: 'SHOULD not met: reads return only the head',
    })
  })

  test('an assertion failure is fail at MUST and warn at SHOULD or MAY', () => {
    expect(gradeTest({ state: 'failed', errors: [assertion] }, { level: 'MUST' })).toMatchObject({ outcome: 'fail', message: assertion.message })
    expect(gradeTest({ state: 'failed', errors: [assertion] }, { level: 'SHOULD' }).outcome).toBe('warn')
    expect(gradeTest({ state: 'failed', errors: [assertion] }, { level: 'MAY' }).outcome).toBe('warn')
  })

  test('harness trouble, vitest timeouts and bugs in a case are error, never fail', () => {
    expect(gradeTest({ state: 'failed', errors: [harness] }, { level: 'MUST' })).toMatchObject({ outcome: 'error', message: harness.message })
    expect(gradeTest({ state: 'failed', errors: [{ name: 'Error', message: 'Test timed out in 5000ms.\nmore' }] }, { level: 'MUST' })).toMatchObject({
      outcome: 'error',
      message: 'timeout: Test timed out in 5000ms.',
    })
    expect(gradeTest({ state: 'failed', errors: [{ name: 'TypeError', message: 'x is undefined' }] }, { level: 'SHOULD' })).toMatchObject({
      outcome: 'error',
      message: 'TypeError: x is undefined',
    })
  })

  test('the first error decides: an assertion followed by cleanup trouble is still a violation', () => {
    expect(gradeTest({ state: 'failed', errors: [assertion, harness] }, { level: 'MUST' }).outcome).toBe('fail')
    expect(gradeTest({ state: 'failed', errors: [harness, assertion] }, { level: 'MUST' }).outcome).toBe('error')
  })

  test('a skip carries its reason', () => {
    expect(gradeTest({ state: 'skipped', note: 'needs http-bridge: no HTTP bridge' }, { level: 'MUST' })).toEqual({
      outcome: 'skip',
      message: 'needs http-bridge: no HTTP bridge',
    })
    expect(gradeTest({ state: 'skipped' }, { level: 'MUST', skipReason: 'origin-profile case' }).message).toBe('origin-profile case')
  })

  test('a case that never finished is an error', () => {
    expect(gradeTest({ state: 'pending' }, { level: 'MUST' }).outcome).toBe('error')
  })
})

describe('isFailing', () => {
  test('fail and error always count; warn only under --strict; pass and skip never', () => {
    expect(['pass', 'fail', 'warn', 'skip', 'error'].map((o) => isFailing(o as never, false))).toEqual([false, true, false, false, true])
    expect(['pass', 'fail', 'warn', 'skip', 'error'].map((o) => isFailing(o as never, true))).toEqual([false, true, true, false, true])
  })
})
