import { expectAccepted, fc, propertyCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilter } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type TagFilterScenario, tagFilterScenario } from '../../spec/arbitraries/negative-space.ts'
import { controlServedById, describeIds, readSettled, readStored } from '../lib/reads.ts'
import { slugVariants } from '../lib/variants.ts'

propertyCase(
  {
    id: 'nip01.tag-filter-exact',
    title: '#d and #t filters match whole tag values: prefixes, extensions and other letter case of a slug match nothing, several values match any',
    requirements: ['AP-BASE-10', 'AP-BASE-23'],
    level: 'MUST',
    profile: 'core',
  },
  [tagFilterScenario],
  async (c, scenario) => {
    const ws = await c.connect()
    const variants = slugVariants(c.slug('exact'))
    const published: NostrEvent[] = []
    for (const v of scenario.published) {
      const slug = variants[v] as string
      const persona = c.persona({ slug, tags: [['d', slug], ['t', scenario.colours[v] as string]] })
      expectAccepted(await ws.publish(persona), `the persona at ${JSON.stringify(slug)}`)
      published.push(persona)
    }
    await controlServedById(ws, published, 'the personas at the slug variants')
    const filter: Filter = { kinds: [PersonaKind], authors: [c.keys.pubkey], '#d': scenario.dQuery.map((q) => variants[q] as string) }
    if (scenario.tQuery !== undefined) filter['#t'] = scenario.tQuery
    const expected = published.filter((e) => matchFilter(filter, e))
    const returned = await readSettled(
      () => readStored(ws, [filter], `REQ ${JSON.stringify(filter)}`),
      (answer) => expected.every((e) => answer.some((r) => r.id === e.id)),
    )
    // NIP-01: an event matches a tag condition only when a tag value equals a listed value.
    const extra = returned.filter((e) => !matchFilter(filter, e))
    if (extra.length > 0) {
      violation(`REQ ${fc.stringify(filter)} returned ${describeIds(extra)} with d/t values ${JSON.stringify(extra.map((e) => e.tags))}, which match none of the listed values`)
    }
    const missing = expected.filter((e) => !returned.some((r) => r.id === e.id))
    c.should(missing.length === 0, `REQ ${fc.stringify(filter)} left out the matching ${describeIds(missing)}`)
  },
  {
    numRuns: 12,
    // Every near miss published, asked for by the base slug and its upper case, with two #t values.
    examples: [[{ published: [0, 1, 2, 3, 4], colours: ['red', 'green', 'red', 'green', 'red'], dQuery: [0, 5], tQuery: ['red', 'blue'] } as TagFilterScenario]],
  },
)
