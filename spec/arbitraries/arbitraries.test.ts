/**
 * The suites' arbitraries generate what they claim, with the spread the cases rely on
 * (checked on samples with a fixed seed; fc.statistics output is captured, not printed).
 */

import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parsePersonaContent } from '../model/content.ts'
import { checkSlug } from '../model/slug.ts'
import { utf8ByteLength } from '../model/bytes.ts'
import { personaContent, relayContent } from './content.ts'
import { filterScenario } from './filter.ts'
import { QueryVariantCount, SlugVariantCount, deletionTargetScenario, liveScenario, tagFilterScenario } from './negative-space.ts'
import { MaxOffset, OwnerCount, SlugCount, deleteOp, publishOp, tieOp } from './persona-ops.ts'
import { adversarialArrivalOrder, arrangeTies, arrivalOrder, versionSequence } from './replacement.ts'
import { invalidSlug, validSlug } from './slug.ts'

const params = { seed: 42, numRuns: 2000 }

/** Category → share of samples, from fc.statistics. */
function spread<T>(arbitrary: fc.Arbitrary<T>, classify: (value: T) => string): Map<string, number> {
  const shares = new Map<string, number>()
  fc.statistics(arbitrary, classify, {
    ...params,
    logger: (line) => {
      const match = /^(.*?)\.{2,}\s*([\d.]+)%$/.exec(line.trim())
      if (match) shares.set((match[1] as string).trim(), Number(match[2]))
    },
  })
  return shares
}

describe('slug arbitraries', () => {
  test('validSlug only makes grammatical slugs, 1 to 64 bytes, both boundaries included', () => {
    fc.assert(fc.property(validSlug, (slug) => checkSlug(slug).ok), params)
    const lengths = spread(validSlug, (slug) => (slug.length === 1 ? 'one' : slug.length === 64 ? 'sixty-four' : 'between'))
    expect([...lengths.keys()].sort()).toEqual(['between', 'one', 'sixty-four'])
  })

  test('invalidSlug only makes slugs the grammar refuses, tagged with the defect the model reports', () => {
    fc.assert(
      fc.property(invalidSlug, ({ slug, defect }) => {
        const check = checkSlug(slug)
        return !check.ok && check.defect === defect
      }),
      params,
    )
  })

  test('invalidSlug covers every defect, over-long slugs and non-ASCII characters', () => {
    const defects = spread(invalidSlug, ({ defect }) => defect)
    expect([...defects.keys()].sort()).toEqual(['bad-char', 'bad-first-char', 'empty', 'too-long'])
    const samples = fc.sample(invalidSlug, params)
    expect(samples.some(({ slug }) => utf8ByteLength(slug) > 64)).toBe(true)
    expect(samples.some(({ slug }) => /[^\x00-\x7f]/.test(slug))).toBe(true)
    expect(samples.some(({ slug }) => /[A-Z]/.test(slug))).toBe(true)
    expect(samples.some(({ slug }) => slug.startsWith('-') || slug.startsWith('_'))).toBe(true)
  })
})

describe('content arbitraries', () => {
  test('personaContent bodies are valid for a reader', () => {
    fc.assert(fc.property(personaContent, (body) => parsePersonaContent(JSON.stringify(body)).ok), params)
  })

  test('relayContent mixes bodies a reader accepts with ones it refuses', () => {
    const kinds = spread(relayContent, (text) => (parsePersonaContent(text).ok ? 'valid body' : 'not a valid body'))
    expect([...kinds.keys()].sort()).toEqual(['not a valid body', 'valid body'])
  })
})

describe('replacement arbitraries', () => {
  test('arrivalOrder is a permutation of 0..n-1 with n in range', () => {
    fc.assert(
      fc.property(arrivalOrder(2, 4), (ranks) => {
        const sorted = [...ranks].sort((a, b) => a - b)
        return ranks.length >= 2 && ranks.length <= 4 && sorted.every((rank, i) => rank === i)
      }),
      params,
    )
    const firsts = spread(arrivalOrder(2, 4), (ranks) => (ranks[0] === 0 ? 'winner first' : 'winner later'))
    expect([...firsts.keys()].sort()).toEqual(['winner first', 'winner later'])
  })

  test('adversarialArrivalOrder never has the winner first or last', () => {
    fc.assert(
      fc.property(adversarialArrivalOrder(3, 5), (ranks) => {
        const sorted = [...ranks].sort((a, b) => a - b)
        const at = ranks.indexOf(0)
        return ranks.length >= 3 && ranks.length <= 5 && sorted.every((rank, i) => rank === i) && at > 0 && at < ranks.length - 1
      }),
      params,
    )
    expect([...spread(adversarialArrivalOrder(3, 3), (ranks) => ranks.join('')).keys()].sort()).toEqual(['102', '201'])
    expect(() => adversarialArrivalOrder(2, 3)).toThrow(/at least 3/)
  })

  test('arrangeTies gives each tie the id order of its steps and leaves lone versions in place', () => {
    const v = (id: string, created_at: number) => ({ id, created_at })
    const steps = [
      { offset: 3, idRank: 1 },
      { offset: 1, idRank: 4 },
      { offset: 3, idRank: 0 },
      { offset: 3, idRank: 2 },
    ]
    const signed = [v('cc', 3), v('zz', 1), v('aa', 3), v('bb', 3)]
    expect(arrangeTies(steps, signed, (s) => s.offset).map((e) => e.id)).toEqual(['bb', 'zz', 'aa', 'cc'])
    // Equal ranks keep arrival order.
    expect(arrangeTies([{ offset: 0, idRank: 2 }, { offset: 0, idRank: 2 }], [v('b', 0), v('a', 0)], (s) => s.offset).map((e) => e.id)).toEqual(['a', 'b'])
    expect(() => arrangeTies(steps, signed.slice(1), (s) => s.offset)).toThrow(/4 steps but 3 versions/)
  })

  test('versionSequence draws ties with the lowest id arriving first and later', () => {
    const orders = spread(versionSequence, (steps) => {
      const first = new Map<number, number>()
      for (const step of steps) if (!first.has(step.offset)) first.set(step.offset, step.idRank)
      const tied = steps.filter((s) => steps.filter((t) => t.offset === s.offset).length > 1)
      if (tied.length === 0) return 'no tie'
      return tied.some((s) => s.idRank < (first.get(s.offset) as number)) ? 'lowest id later' : 'lowest id first'
    })
    expect(orders.get('lowest id later') ?? 0).toBeGreaterThan(5)
    expect(orders.get('lowest id first') ?? 0).toBeGreaterThan(5)
  })

  test('versionSequence often has ties and out-of-order arrivals', () => {
    const kinds = spread(versionSequence, (steps) => {
      const offsets = steps.map((s) => s.offset)
      if (new Set(offsets).size < offsets.length) return 'has a tie'
      return offsets.some((o, i) => i > 0 && o < (offsets[i - 1] as number)) ? 'out of order' : 'in order'
    })
    expect(kinds.get('has a tie') ?? 0).toBeGreaterThan(20)
    expect(kinds.get('out of order') ?? 0).toBeGreaterThan(5)
  })
})

describe('filter and stateful arbitraries', () => {
  test('filterScenario filters point only at events of the scenario', () => {
    fc.assert(
      fc.property(filterScenario, ({ events, filters }) =>
        filters.every((f) => (f.ids ?? []).every((i) => i >= 0 && i < events.length)),
      ),
      params,
    )
    const limited = spread(filterScenario, ({ filters }) => (filters.some((f) => f.limit !== undefined) ? 'with limit' : 'without limit'))
    expect([...limited.keys()].sort()).toEqual(['with limit', 'without limit'])
  })

  test('persona operations stay inside the small world of owners, slugs and offsets', () => {
    fc.assert(
      fc.property(publishOp, deleteOp, tieOp, (p, d, t) =>
        [p.at, d.at, t.at].every((at) => at.owner < OwnerCount && at.slug < SlugCount) &&
        p.offset <= MaxOffset &&
        Math.abs(d.shift) <= 2 &&
        t.step >= 0 &&
        t.step <= 2 &&
        ['102', '201'].includes(t.order.join('')),
      ),
      params,
    )
  })
})

describe('negative-space arbitraries', () => {
  test('tagFilterScenario publishes and asks for variants in range, and often asks for a near miss', () => {
    fc.assert(
      fc.property(tagFilterScenario, (s) =>
        s.published.length > 0 && s.published.every((v) => v < SlugVariantCount) && s.dQuery.length > 0 && s.dQuery.every((q) => q < QueryVariantCount),
      ),
      params,
    )
    const nearMiss = spread(tagFilterScenario, (s) => (s.dQuery.some((q) => !s.published.includes(q)) ? 'asks for an unpublished value' : 'asks only for published values'))
    expect(nearMiss.get('asks for an unpublished value') ?? 0).toBeGreaterThan(30)
  })

  test('deletionTargetScenario names distinct variants and keeps other-kind distractors off the targets', () => {
    fc.assert(
      fc.property(deletionTargetScenario, ({ targets, otherKind }) => {
        const named = targets.map((t) => t.variant)
        return targets.length > 0 && new Set(named).size === named.length && otherKind.every((v) => !named.includes(v))
      }),
      params,
    )
    const forms = spread(deletionTargetScenario, ({ targets }) => [...new Set(targets.map((t) => t.form))].sort().join('+'))
    expect([...forms.keys()].sort()).toEqual(['a', 'a+e', 'e'])
  })

  test('liveScenario always starts with a new persona and mixes in re-sends, stale, invalid and forged events', () => {
    fc.assert(fc.property(liveScenario, (s) => s.steps[0]?.op === 'new' && s.subscriptions.length > 0), params)
    const ops = spread(liveScenario, (s) => (s.steps.length > 1 ? (s.steps[1] as { op: string }).op : 'only one step'))
    expect([...ops.keys()].sort()).toEqual(['forged', 'invalid', 'new', 'only one step', 'resend', 'stale'])
  })
})
