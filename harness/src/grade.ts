/**
 * Outcome grading: the one place where a finished vitest test becomes pass, fail, warn,
 * skip or error. Only an assertion (an observed violation) can grade fail or warn; every
 * other error (HarnessError, vitest's own timeout, a bug in a case) grades error.
 */

import type { Level, Outcome } from './types.ts'

export interface SerializedError {
  name?: string
  message?: string
  stack?: string
}

export interface FinishedTest {
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  errors?: readonly SerializedError[]
  /** ctx.skip(note) */
  note?: string
}

export interface GradeInput {
  level: Level
  warnings?: readonly string[]
  skipReason?: string
}

export interface Grade {
  outcome: Outcome
  message: string
  details?: string
}

const AssertionNames = new Set(['AssertionError'])

export function isViolation(error: SerializedError): boolean {
  return AssertionNames.has(error.name ?? '')
}

export function gradeTest(result: FinishedTest, input: GradeInput): Grade {
  switch (result.state) {
    case 'skipped':
      return { outcome: 'skip', message: result.note ?? input.skipReason ?? 'skipped by the suite' }
    case 'pending':
      return { outcome: 'error', message: 'the case did not finish' }
    case 'passed': {
      const warnings = input.warnings ?? []
      if (warnings.length > 0) return { outcome: 'warn', message: `SHOULD not met: ${warnings.join('; ')}` }
      return { outcome: 'pass', message: '' }
    }
    case 'failed': {
      const first = result.errors?.[0] ?? { name: 'Error', message: 'failed without an error' }
      const details = describeErrors(result.errors ?? [first])
      const message = firstLine(first)
      // A control that failed outside the case wrapper (it normally turns into a skip there).
      if (first.name === 'ControlError') return { outcome: 'skip', message }
      if (!isViolation(first)) return { outcome: 'error', message: `${harnessLabel(first)}${message}`, details }
      return { outcome: input.level === 'MUST' ? 'fail' : 'warn', message, details }
    }
  }
}

function harnessLabel(error: SerializedError): string {
  if (error.name === 'HarnessError') return ''
  if ((error.message ?? '').startsWith('Test timed out')) return 'timeout: '
  return `${error.name ?? 'Error'}: `
}

function firstLine(error: SerializedError): string {
  const text = (error.message ?? '').trim()
  const line = text.split('\n')[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}

/** Full messages plus the first stack frames that are not vitest's own. */
function describeErrors(errors: readonly SerializedError[]): string {
  return errors
    .map((error) => {
      const frames = (error.stack ?? '')
        .split('\n')
        .filter((line) => line.trimStart().startsWith('at ') && !line.includes('node_modules'))
        .slice(0, 5)
      return [`${error.name ?? 'Error'}: ${error.message ?? ''}`, ...frames].join('\n')
    })
    .join('\n\n')
}

/** The outcomes that count against a run. */
export function isFailing(outcome: Outcome, strict: boolean): boolean {
  return outcome === 'fail' || outcome === 'error' || (strict && outcome === 'warn')
}
