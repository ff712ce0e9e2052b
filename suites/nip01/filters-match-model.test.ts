import { controlAccepted, expectAccepted, fc, propertyCase, relayCase, violation } from '../../harness/src/authoring.ts'
import type { CaseContext, RelayConnection } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, compareForQuery, matchFilter, matchFilters } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type FilterScenario, type FilterSpec, ScenarioKinds, filterScenario } from '../../spec/arbitraries/filter.ts'
import { controlServedById, describeIds, readSettled, readStored } from '../lib/reads.ts'

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
  // Name the kinds even when the scenario does not restrict them (every scenario event has
  // one of these), so that a relay refusing kindless filters still answers.
  filter.kinds = spec.kinds ?? [...ScenarioKinds]
  if (spec.since !== undefined) filter.since = base + spec.since
  if (spec.until !== undefined) filter.until = base + spec.until
  if (spec.tags) filter['#t'] = spec.tags
  if (spec.limit !== undefined) filter.limit = spec.limit
  return filter
}

/** The most events the relay says it returns for one filter (NIP-11 max_limit / default_limit), if it says. */
export function advertisedCap(c: CaseContext): number {
  const limitation = c.probe.nip11.limitation
  const caps = [limitation.max_limit, limitation.default_limit].filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0)
  return caps.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...caps)
}

export interface AnswerCheck {
  /** Returned events that match none of the filters: NIP-01's "must match" (MUST). */
  extra: NostrEvent[]
  /** Per filter, matches left out that a complete answer within the limit would hold (SHOULD). */
  missing: Array<{ filter: number; events: NostrEvent[] }>
  /** A single filter's limit exceeded (SHOULD). */
  overLimit: number | null
}

/** NIP-01's answer rules for one REQ over the events the case published. */
export function checkAnswer(published: NostrEvent[], filters: Filter[], returned: NostrEvent[], cap = Number.POSITIVE_INFINITY): AnswerCheck {
  const extra = returned.filter((e) => !matchFilters(filters, e))
  const got = new Set(returned.map((e) => e.id))
  const missing: AnswerCheck['missing'] = []
  for (const [i, filter] of filters.entries()) {
    const matches = published.filter((e) => matchFilter(filter, e)).sort(compareForQuery)
    const limit = Math.min(filter.limit ?? Number.POSITIVE_INFINITY, cap)
    // With limit n, every match strictly newer than the n-th newest should be there.
    const cut = Number.isFinite(limit) ? matches[limit - 1] : undefined
    const required = cut === undefined ? matches : matches.filter((e) => e.created_at > cut.created_at)
    const left = required.filter((e) => !got.has(e.id))
    if (left.length > 0) missing.push({ filter: i, events: left })
  }
  const only = filters.length === 1 ? filters[0] : undefined
  const overLimit = only?.limit !== undefined && returned.length > only.limit ? only.limit : null
  return { extra, missing, overLimit }
}

/** Publishes the events; a refused persona is a failed control, a refused other kind is left out. */
async function publishScenario(c: CaseContext, ws: RelayConnection, events: NostrEvent[]): Promise<NostrEvent[]> {
  const published: NostrEvent[] = []
  for (const event of events) {
    const reply = await ws.publish(event)
    if (event.kind === PersonaKind) controlAccepted(reply, 'a persona of the scenario')
    if (reply.accepted) published.push(event)
    else c.note(`kind ${event.kind} refused (${reply.message}): left out of the scenario`)
  }
  return published
}

function judge(c: CaseContext, check: AnswerCheck, filters: Filter[], returned: NostrEvent[]): void {
  if (check.extra.length > 0) violation(`events matching none of the filters were returned: ${describeIds(check.extra)}\nfilters: ${fc.stringify(filters)}`)
  for (const { filter, events } of check.missing) {
    c.should(false, `filter ${filter} ${JSON.stringify(filters[filter])} left out matching events ${describeIds(events)} (returned ${describeIds(returned)})`)
  }
  if (check.overLimit !== null) c.should(false, `limit ${check.overLimit} but ${returned.length} events were returned`)
}

propertyCase(
  {
    id: 'nip01.filters-match-model',
    title: 'REQ answers hold only events matching spec/model filter semantics (ids, authors, kinds, #t, inclusive since/until), and every match within the limit',
    requirements: ['AP-BASE-9', 'AP-BASE-10', 'AP-BASE-11', 'AP-BASE-12', 'AP-BASE-14', 'AP-BASE-23'],
    level: 'MUST',
    profile: 'core',
  },
  [filterScenario],
  async (c, scenario) => {
    const ws = await c.connect()
    const { events, filters } = materialize(c, scenario, c.now() - 100)
    const published = await publishScenario(c, ws, events)
    await controlServedById(ws, published, 'the scenario events')
    const cap = advertisedCap(c)
    const returned = await readSettled(
      () => readStored(ws, filters, 'the scenario REQ'),
      (answer) => checkAnswer(published, filters, answer, cap).missing.length === 0,
    )
    judge(c, checkAnswer(published, filters, returned, cap), filters, returned)
  },
  { numRuns: 10 },
)

relayCase(
  {
    id: 'nip01.filter-fields-exact',
    title: 'ids, authors, kinds and #x filters return only events with exactly the listed values, and since/until include their bounds',
    requirements: ['AP-BASE-9', 'AP-BASE-10', 'AP-BASE-11', 'AP-BASE-23'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const other = c.freshKeys()
    const t = c.now() - 50
    const persona = (tags: string[][], createdAt: number, keys = c.keys) => {
      const slug = c.slug()
      return c.persona({ slug, created_at: createdAt, tags: [['d', slug], ...tags], keys })
    }
    const a = persona([['t', 'alpha']], t)
    const b = persona([['t', 'beta'], ['x', 'alpha']], t + 10)
    const d = persona([['t', 'alpha', 'extra']], t + 20, other)
    const published = [a, b, d]
    for (const event of published) expectAccepted(await ws.publish(event), `persona ${describeIds([event])}`)
    await controlServedById(ws, published, 'the three personas')
    const authors = [c.keys.pubkey, other.pubkey]
    const kinds = [PersonaKind]
    const cases: Filter[] = [
      { ids: [b.id], kinds },
      { authors: [other.pubkey], kinds },
      { authors, kinds: [1] },
      { authors, kinds, '#t': ['alpha'] },
      { authors, kinds, '#t': ['alph'] },
      { authors, kinds, '#x': ['alpha'] },
      { authors, kinds, since: t + 10 },
      { authors, kinds, until: t + 10 },
      { authors, kinds, since: t + 10, until: t + 10 },
      { authors, kinds, since: t + 21 },
      { authors, kinds: [1, PersonaKind], '#t': ['beta'] },
    ]
    for (const filter of cases) {
      const returned = await readSettled(
        () => readStored(ws, [filter], `REQ ${JSON.stringify(filter)}`),
        (answer) => checkAnswer(published, [filter], answer).missing.length === 0,
      )
      judge(c, checkAnswer(published, [filter], returned), [filter], returned)
    }
  },
)
