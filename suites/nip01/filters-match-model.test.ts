import { expectAccepted, fc, propertyCase, relayCase, violation } from '../../harness/src/authoring.ts'
import type { CaseContext } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, compareForQuery, matchFilter, matchFilters } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type FilterScenario, type FilterSpec, filterScenario } from '../../spec/arbitraries/filter.ts'
import { describeIds, readStored } from '../lib/reads.ts'

/** Signs the scenario's events with two fresh keys; returns them and the concrete filters. */
function materialize(c: CaseContext, scenario: FilterScenario, base: number) {
  const keys = [c.keys, c.freshKeys()] as const
  const events = scenario.events.map((spec, i) => {
    const tags = [['t', spec.tag]]
    if (spec.kind === PersonaKind) tags.unshift(['d', c.slug('filter')])
    return c.sign({ kind: spec.kind, created_at: base + spec.offset, tags, content: `filter case event ${i}` }, keys[spec.author])
  })
  const filters = scenario.filters.map((spec) => toFilter(spec, events, keys.map((k) => k.pubkey), base))
  return { events, filters }
}

function toFilter(spec: FilterSpec, events: NostrEvent[], pubkeys: string[], base: number): Filter {
  const filter: Filter = {}
  if (spec.ids) filter.ids = spec.ids.map((i) => (events[i] as NostrEvent).id)
  // Never ask about events the case did not make: without ids, restrict to the case's keys.
  filter.authors = spec.authors ? spec.authors.map((a) => pubkeys[a] as string) : [...pubkeys]
  if (spec.kinds) filter.kinds = spec.kinds
  if (spec.since !== undefined) filter.since = base + spec.since
  if (spec.until !== undefined) filter.until = base + spec.until
  if (spec.tags) filter['#t'] = spec.tags
  if (spec.limit !== undefined) filter.limit = spec.limit
  return filter
}

/** The MUST-level answer rules of NIP-01 for one REQ over the events the case published. */
export function checkAnswer(published: NostrEvent[], filters: Filter[], returned: NostrEvent[]): string | null {
  const extra = returned.filter((e) => !matchFilters(filters, e))
  if (extra.length > 0) return `events matching none of the filters were returned: ${describeIds(extra)}`
  const got = new Set(returned.map((e) => e.id))
  for (const [i, filter] of filters.entries()) {
    const matches = published.filter((e) => matchFilter(filter, e)).sort(compareForQuery)
    let required = matches
    const cut = filter.limit === undefined ? undefined : matches[filter.limit - 1]
    // With limit n, every match strictly newer than the n-th newest must be there.
    if (cut !== undefined) required = matches.filter((e) => e.created_at > cut.created_at)
    const missing = required.filter((e) => !got.has(e.id))
    if (missing.length > 0) return `filter ${i} ${JSON.stringify(filter)} misses matching events ${describeIds(missing)}`
  }
  if (filters.length === 1 && filters[0]?.limit !== undefined && returned.length > filters[0].limit) {
    return `limit ${filters[0].limit} but ${returned.length} events were returned`
  }
  return null
}

propertyCase(
  {
    id: 'nip01.filters-match-model',
    title: 'REQ answers match spec/model filter semantics (ids, authors, kinds, #t, inclusive since/until, limit, several filters OR\'ed)',
    requirements: ['AP-BASE-9', 'AP-BASE-10', 'AP-BASE-11', 'AP-BASE-12', 'AP-BASE-14'],
    level: 'MUST',
    profile: 'core',
  },
  [filterScenario],
  async (c, scenario) => {
    const ws = await c.connect()
    const { events, filters } = materialize(c, scenario, c.now() - 100)
    for (const event of events) expectAccepted(await ws.publish(event), `scenario event of kind ${event.kind}`)
    const returned = await readStored(ws, filters, 'the scenario REQ')
    const problem = checkAnswer(events, filters, returned)
    if (problem !== null) violation(`${problem}\nfilters: ${fc.stringify(filters)}`)
  },
  { numRuns: 10 },
)

relayCase(
  {
    id: 'nip01.filter-fields-exact',
    title: 'ids, authors, kinds and #x filters match exactly the listed values, and since/until include their bounds',
    requirements: ['AP-BASE-9', 'AP-BASE-10', 'AP-BASE-11'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const other = c.freshKeys()
    const t = c.now() - 50
    const a = c.sign({ kind: 1, created_at: t, tags: [['t', 'alpha']], content: 'a' })
    const b = c.sign({ kind: 7, created_at: t + 10, tags: [['t', 'beta'], ['x', 'alpha']], content: 'b' })
    const d = c.sign({ kind: 1, created_at: t + 20, tags: [['t', 'alpha', 'extra']], content: 'd' }, other)
    for (const event of [a, b, d]) expectAccepted(await ws.publish(event), `event ${event.content}`)
    const published = [a, b, d]
    const authors = [c.keys.pubkey, other.pubkey]
    const cases: Filter[] = [
      { ids: [b.id] },
      { authors: [other.pubkey] },
      { authors, kinds: [7] },
      { authors, '#t': ['alpha'] },
      { authors, '#x': ['alpha'] },
      { authors, since: t + 10 },
      { authors, until: t + 10 },
      { authors, since: t + 10, until: t + 10 },
      { authors, since: t + 21 },
      { authors, kinds: [1], '#t': ['beta'] },
    ]
    for (const filter of cases) {
      const returned = await readStored(ws, [filter], `REQ ${JSON.stringify(filter)}`)
      const expected = published.filter((e) => matchFilter(filter, e))
      const got = returned.map((e) => e.id).sort()
      const want = expected.map((e) => e.id).sort()
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        violation(`filter ${JSON.stringify(filter)}: expected ${describeIds(expected)}, got ${describeIds(returned)}`)
      }
    }
  },
)
