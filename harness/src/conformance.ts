/**
 * Conformance, apart from the CI gate: how many of the MUST and SHOULD cases that applied to
 * the relay it passed, per profile. The gate (exit code) compares outcomes with an
 * expectations file and can be clean for a relay that fails MUST cases; conformance cannot.
 *
 * A case applies unless it was skipped. A MUST case counts as passed when it passed or only
 * warned (a SHOULD sub-check failed; the MUST held); a SHOULD case when it passed. Errors
 * apply and do not pass: what could not be checked is not shown conformant. MAY cases are
 * not counted.
 */

import type { CaseRecord, Outcome, Profile, Report } from './types.ts'

export interface LevelTally {
  passed: number
  applicable: number
}

export interface ProfileConformance {
  /** `core`: the core cases; `origin`: core and origin cases (the origin profile includes core). */
  profile: Profile
  must: LevelTally
  should: LevelTally
  /** Every applicable MUST case passed, and at least one applied. */
  conformant: boolean
}

export interface Conformance {
  profiles: ProfileConformance[]
}

const passedAt: Record<'MUST' | 'SHOULD', readonly Outcome[]> = { MUST: ['pass', 'warn'], SHOULD: ['pass'] }

function tally(cases: readonly Pick<CaseRecord, 'level' | 'outcome'>[], level: 'MUST' | 'SHOULD'): LevelTally {
  const applicable = cases.filter((c) => c.level === level && c.outcome !== 'skip')
  return { passed: applicable.filter((c) => passedAt[level].includes(c.outcome)).length, applicable: applicable.length }
}

/** Conformance of a run under `runProfile`: core always, origin too when the run used it. */
export function computeConformance(cases: readonly Pick<CaseRecord, 'level' | 'outcome' | 'profile'>[], runProfile: Profile): Conformance {
  const profiles: Profile[] = runProfile === 'origin' ? ['core', 'origin'] : ['core']
  return {
    profiles: profiles.map((profile) => {
      const inProfile = profile === 'core' ? cases.filter((c) => c.profile === 'core') : cases
      const must = tally(inProfile, 'MUST')
      return { profile, must, should: tally(inProfile, 'SHOULD'), conformant: must.applicable > 0 && must.passed === must.applicable }
    }),
  }
}

/** One line: `core: MUST 56/58, SHOULD 3/4, not conformant`. */
export function formatConformance(entry: ProfileConformance): string {
  const verdict = entry.must.applicable === 0 ? 'no MUST case applied' : entry.conformant ? 'conformant' : 'not conformant'
  return `${entry.profile}: MUST ${entry.must.passed}/${entry.must.applicable}, SHOULD ${entry.should.passed}/${entry.should.applicable}, ${verdict}`
}

/** The report's conformance (computed from its cases for reports written before it was recorded). */
export function conformanceOf(report: Pick<Report, 'conformance' | 'cases' | 'settings'>): Conformance {
  return report.conformance ?? computeConformance(report.cases, report.settings.profile)
}
