/**
 * Expectations files for CI gates: known failures and skips, each with a reason, so only
 * regressions fail a run. Format (JSON, documented in harness/README.md):
 *
 *   { "version": 1,
 *     "expectations": [
 *       { "case": "slug.*", "outcome": "fail", "reason": "no NIP-AP slug rules", "link": "https://..." },
 *       { "case": "threads.depth-limit", "outcome": ["skip", "error"], "reason": "..." } ] }
 *
 * `case` is a case id or a pattern (dotted prefix or `*` glob, as for --only). The first
 * entry naming the exact id wins, else the first matching pattern in file order.
 */

import { readFileSync } from 'node:fs'
import { UsageError } from './errors.ts'
import { isFailing } from './grade.ts'
import { matchesPattern } from './select.ts'
import { type CaseExpectationStatus, type ExpectationsSummary, type Outcome, Outcomes } from './types.ts'

export interface Expectation {
  case: string
  outcome: Outcome[]
  reason: string
  link?: string
}

export interface ExpectationsFile {
  version: 1
  file: string
  expectations: Expectation[]
}

export function loadExpectations(file: string): ExpectationsFile {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`error: cannot read expectations file ${file}: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`error: expectations file ${file} is not JSON: ${(error as Error).message}`)
  }
  return parseExpectations(value, file)
}

export function parseExpectations(value: unknown, file = '<inline>'): ExpectationsFile {
  const bad = (why: string): never => {
    throw new UsageError(`error: expectations file ${file}: ${why}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('must be a JSON object')
  const record = value as Record<string, unknown>
  if (record.version !== 1) bad('`version` must be 1')
  if (!Array.isArray(record.expectations)) return bad('`expectations` must be an array')
  const expectations = record.expectations.map((entry, index): Expectation => {
    const where = `expectations[${index}]`
    if (typeof entry !== 'object' || entry === null) return bad(`${where} must be an object`)
    const e = entry as Record<string, unknown>
    if (typeof e.case !== 'string' || e.case.length === 0) bad(`${where}.case must be a non-empty string`)
    const outcomes = typeof e.outcome === 'string' ? [e.outcome] : e.outcome
    if (!Array.isArray(outcomes) || outcomes.length === 0 || !outcomes.every((o) => (Outcomes as readonly unknown[]).includes(o))) {
      bad(`${where}.outcome must be one of ${Outcomes.join(', ')} or a non-empty array of them`)
    }
    if (typeof e.reason !== 'string' || e.reason.trim().length === 0) bad(`${where}.reason must say why`)
    if (e.link !== undefined && typeof e.link !== 'string') bad(`${where}.link must be a string`)
    return {
      case: e.case as string,
      outcome: outcomes as Outcome[],
      reason: e.reason as string,
      ...(typeof e.link === 'string' ? { link: e.link } : {}),
    }
  })
  return { version: 1, file, expectations }
}

export function findExpectation(id: string, expectations: readonly Expectation[]): Expectation | undefined {
  return expectations.find((e) => e.case === id) ?? expectations.find((e) => matchesPattern(id, e.case))
}

export interface CaseForGate {
  id: string
  outcome: Outcome
}

export interface GateOptions {
  strict: boolean
  strictExpectations: boolean
}

export interface GateResult {
  statuses: Map<string, CaseExpectationStatus>
  /** Case ids that count against the run. */
  failing: string[]
  summary?: ExpectationsSummary
}

/** Applies expectations (if any) and decides which cases count against the run. */
export function applyExpectations(
  cases: readonly CaseForGate[],
  file: ExpectationsFile | undefined,
  options: GateOptions,
): GateResult {
  const statuses = new Map<string, CaseExpectationStatus>()
  const failing: string[] = []
  const used = new Set<Expectation>()
  const unexpectedFailures: string[] = []
  const unexpectedPasses: string[] = []
  for (const c of cases) {
    const expectation = file ? findExpectation(c.id, file.expectations) : undefined
    if (!expectation) {
      if (isFailing(c.outcome, options.strict)) {
        failing.push(c.id)
        if (file) unexpectedFailures.push(c.id)
      }
      continue
    }
    used.add(expectation)
    const met = expectation.outcome.includes(c.outcome)
    const status: CaseExpectationStatus['status'] = met ? 'met' : c.outcome === 'pass' ? 'unexpected-pass' : 'unexpected-outcome'
    statuses.set(c.id, {
      expected: expectation.outcome,
      reason: expectation.reason,
      ...(expectation.link ? { link: expectation.link } : {}),
      status,
    })
    if (status === 'unexpected-pass') {
      unexpectedPasses.push(c.id)
      if (options.strictExpectations) failing.push(c.id)
    } else if (status === 'unexpected-outcome' && isFailing(c.outcome, options.strict)) {
      unexpectedFailures.push(c.id)
      failing.push(c.id)
    }
  }
  if (!file) return { statuses, failing }
  const unused = file.expectations.filter((e) => !used.has(e)).map((e) => e.case)
  return { statuses, failing, summary: { file: file.file, unexpectedFailures, unexpectedPasses, unused } }
}
