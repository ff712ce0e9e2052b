/**
 * fast-check arbitraries for NIP-01 filter scenarios: a handful of events and the filters
 * to ask about them, described by indices so a case can materialize them with fresh keys,
 * real ids and timestamps relative to the relay's clock.
 */

import fc from 'fast-check'

export const ScenarioKinds = [1, 7, 30175] as const
export const ScenarioTagValues = ['a', 'b', 'c'] as const

export interface EventSpec {
  /** Which of the scenario's two keys signs it. */
  author: 0 | 1
  kind: (typeof ScenarioKinds)[number]
  /** created_at = base + offset; a small range makes equal timestamps common. */
  offset: number
  /** Value of the event's `t` tag. */
  tag: (typeof ScenarioTagValues)[number]
}

export interface FilterSpec {
  /** Indices into the scenario's events. */
  ids?: number[]
  authors?: Array<0 | 1>
  kinds?: number[]
  since?: number
  until?: number
  tags?: string[]
  limit?: number
}

export interface FilterScenario {
  events: EventSpec[]
  filters: FilterSpec[]
}

const eventSpec: fc.Arbitrary<EventSpec> = fc.record({
  author: fc.constantFrom<0 | 1>(0, 1),
  kind: fc.constantFrom(...ScenarioKinds),
  offset: fc.integer({ min: 0, max: 3 }),
  tag: fc.constantFrom(...ScenarioTagValues),
})

function filterSpec(eventCount: number): fc.Arbitrary<FilterSpec> {
  const indices = Array.from({ length: eventCount }, (_, i) => i)
  return fc.record(
    {
      ids: fc.subarray(indices, { minLength: 1 }),
      authors: fc.subarray<0 | 1>([0, 1], { minLength: 1 }),
      kinds: fc.subarray([...ScenarioKinds, 2], { minLength: 1 }),
      since: fc.integer({ min: 0, max: 4 }),
      until: fc.integer({ min: -1, max: 3 }),
      tags: fc.subarray([...ScenarioTagValues, 'z'], { minLength: 1 }),
      limit: fc.integer({ min: 1, max: 4 }),
    },
    { requiredKeys: [] },
  )
}

/** 1 to 6 events and 1 to 3 filters over them. */
export const filterScenario: fc.Arbitrary<FilterScenario> = fc
  .array(eventSpec, { minLength: 1, maxLength: 6 })
  .chain((events) => fc.record({ events: fc.constant(events), filters: fc.array(filterSpec(events.length), { minLength: 1, maxLength: 3 }) }))
