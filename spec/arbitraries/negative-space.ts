/**
 * fast-check arbitraries for the cases that check what must not happen around a persona
 * address: tag filters that must match whole values, deletions that must remove exactly
 * what they name, live subscriptions that must get each accepted event exactly once.
 * Everything is described by indices so a case can materialize it with fresh keys, slugs
 * and timestamps; the shapes keep the near misses (prefixes, extensions, other case,
 * other kind, other author) common.
 */

import fc from 'fast-check'

/**
 * Slug variants around a base slug `s`: 0 = s, 1 = s + "x", 2 = s without its last
 * character, 3 = "x" + s, 4 = s + "-2". Query-only values: 5 = s in upper case, 6 = the
 * first 6 characters of s.
 */
export const SlugVariantCount = 5
export const QueryVariantCount = 7

export type TagColour = 'red' | 'green'
export const TagColours: readonly TagColour[] = ['red', 'green']

export interface TagFilterScenario {
  /** Which slug variants get a persona (at least one). */
  published: number[]
  /** The `t` colour of each variant's persona (index = variant). */
  colours: TagColour[]
  /** The `#d` values asked for: query variant indices, at least one. */
  dQuery: number[]
  /** The `#t` values asked for, when the filter has a `#t` condition. */
  tQuery?: string[]
}

export const tagFilterScenario: fc.Arbitrary<TagFilterScenario> = fc.record(
  {
    published: fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
    colours: fc.array(fc.constantFrom<TagColour>(...TagColours), { minLength: SlugVariantCount, maxLength: SlugVariantCount }),
    dQuery: fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 1 }),
    tQuery: fc.subarray(['red', 'green', 'blue'], { minLength: 1 }),
  },
  { requiredKeys: ['published', 'colours', 'dQuery'] },
)

export type DeletionForm = 'a' | 'e'

export interface DeletionTargetScenario {
  /** Owner slug variants named by the deletion (at least one), each by `a` or by `e`. */
  targets: Array<{ variant: number; form: DeletionForm }>
  /** Owner slug variants also named by an `a` tag of another addressable kind (30176), which must delete nothing. */
  otherKind: number[]
}

export const deletionTargetScenario: fc.Arbitrary<DeletionTargetScenario> = fc
  .uniqueArray(fc.record({ variant: fc.integer({ min: 0, max: SlugVariantCount - 1 }), form: fc.constantFrom<DeletionForm>('a', 'e') }), {
    minLength: 1,
    maxLength: 3,
    selector: (target) => target.variant,
  })
  .chain((targets) =>
    fc.record({
      targets: fc.constant(targets),
      otherKind: fc.subarray(
        [0, 1, 2, 3, 4].filter((v) => !targets.some((t) => t.variant === v)),
        { maxLength: 2 },
      ),
    }),
  )

/** One step of a live-delivery run. */
export type LiveStep =
  /** A new persona by author 0 or 1 with a `t` colour. */
  | { op: 'new'; author: 0 | 1; colour: TagColour }
  /** The n-th new persona (modulo their number) sent again, byte for byte. */
  | { op: 'resend'; index: number }
  /** An older version of the n-th new persona (a stale write). */
  | { op: 'stale'; index: number }
  /** A persona the relay must refuse: an invalid slug. */
  | { op: 'invalid'; author: 0 | 1; colour: TagColour }
  /** A persona whose content changed after signing. */
  | { op: 'forged'; author: 0 | 1; colour: TagColour }

export interface LiveFilterSpec {
  authors?: Array<0 | 1>
  colours?: string[]
}

export interface LiveScenario {
  /** One to three subscriptions, each with one or two filters (two may overlap). */
  subscriptions: LiveFilterSpec[][]
  /** Steps, the first always a new persona. */
  steps: LiveStep[]
}

const author = fc.constantFrom<0 | 1>(0, 1)
const colour = fc.constantFrom<TagColour>(...TagColours)

const liveFilterSpec: fc.Arbitrary<LiveFilterSpec> = fc.record(
  {
    authors: fc.subarray<0 | 1>([0, 1], { minLength: 1 }),
    colours: fc.subarray(['red', 'green', 'blue'], { minLength: 1 }),
  },
  { requiredKeys: [] },
)

const liveStep: fc.Arbitrary<LiveStep> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('new' as const), author, colour }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('resend' as const), index: fc.nat(5) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('stale' as const), index: fc.nat(5) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('invalid' as const), author, colour }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('forged' as const), author, colour }), weight: 1 },
)

export const liveScenario: fc.Arbitrary<LiveScenario> = fc.record({
  subscriptions: fc.array(fc.array(liveFilterSpec, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
  steps: fc
    .tuple(fc.record({ op: fc.constant('new' as const), author, colour }), fc.array(liveStep, { maxLength: 7 }))
    .map(([first, rest]): LiveStep[] => [first, ...rest]),
})
