import { describe, expect, test } from 'vitest'
import { computeConformance, formatConformance } from './conformance.ts'
import type { Level, Outcome, Profile } from './types.ts'

const c = (level: Level, outcome: Outcome, profile: Profile = 'core') => ({ level, outcome, profile })

describe('conformance, apart from the gate', () => {
  test('counts MUST and SHOULD cases passed of those that applied; skips do not apply, errors do and do not pass', () => {
    const cases = [c('MUST', 'pass'), c('MUST', 'warn'), c('MUST', 'error'), c('MUST', 'skip'), c('SHOULD', 'pass'), c('SHOULD', 'warn'), c('SHOULD', 'skip'), c('MAY', 'fail')]
    const [core] = computeConformance(cases, 'core').profiles
    expect(core).toEqual({ profile: 'core', must: { passed: 2, applicable: 3 }, should: { passed: 1, applicable: 2 }, conformant: false })
    expect(formatConformance(core!)).toBe('core: MUST 2/3, SHOULD 1/2, not conformant')
  })

  test('a relay that fails no MUST case is conformant; one where no MUST case applied is not', () => {
    expect(computeConformance([c('MUST', 'pass'), c('SHOULD', 'warn')], 'core').profiles[0]?.conformant).toBe(true)
    expect(computeConformance([c('MUST', 'skip')], 'core').profiles[0]).toMatchObject({ conformant: false, must: { applicable: 0 } })
  })

  test('the origin profile counts core and origin cases; the core profile only core ones', () => {
    const cases = [c('MUST', 'pass'), c('MUST', 'fail', 'origin')]
    const [core, origin] = computeConformance(cases, 'origin').profiles
    expect(core).toMatchObject({ profile: 'core', must: { passed: 1, applicable: 1 }, conformant: true })
    expect(origin).toMatchObject({ profile: 'origin', must: { passed: 1, applicable: 2 }, conformant: false })
    expect(computeConformance(cases, 'core').profiles.map((p) => p.profile)).toEqual(['core'])
  })
})
