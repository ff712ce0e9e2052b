import { controlAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilter, selectForFilter } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { describeIds } from '../lib/reads.ts'
import { bridgeQuery, sameEvents } from '../lib/threads.ts'

relayCase(
  {
    id: 'http-bridge.query',
    title: "POST /query answers 200 with each filter's matches in turn, an event matched by two filters twice",
    requirements: ['AP-HTTP-3'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 60
    const personas = [0, 10].map((dt) => c.persona({ created_at: t + dt }))
    const notes = [5, 15].map((dt) => c.sign({ kind: 1, created_at: t + dt, content: `note +${dt}` }))
    const written = [...personas, ...notes]
    for (const event of written) controlAccepted(await ws.publish(event), `event at ${event.created_at}`)
    const filters: Filter[] = [
      { kinds: [PersonaKind], authors: [c.keys.pubkey] },
      { kinds: [PersonaKind, 1], authors: [c.keys.pubkey], limit: 2 },
    ]
    const got = await bridgeQuery(c, filters, 'two overlapping filters')
    // Filter 1: both personas; filter 2: the two newest events (note +15, persona +10).
    const want = filters.flatMap((filter) => selectForFilter(filter, written))
    if (!sameEvents(got, want)) {
      violation(`POST /query returned ${describeIds(got)}; expected each filter's answer in turn (in any order), repeats kept: ${describeIds(want)}`)
    }
  },
)

relayCase(
  {
    id: 'http-bridge.count',
    title: "POST /count answers 200 {count}: each filter's matches with limit ignored, added up over the filters",
    requirements: ['AP-HTTP-4'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 30
    const written: NostrEvent[] = [0, 1, 2].map((i) => c.persona({ created_at: t + i }))
    written.push(c.sign({ kind: 1, created_at: t, content: 'note' }))
    for (const event of written) controlAccepted(await ws.publish(event), `event ${event.id.slice(0, 12)}`)
    const personas: Filter = { kinds: [PersonaKind], authors: [c.keys.pubkey] }
    const notes: Filter = { kinds: [1], authors: [c.keys.pubkey] }
    const questions: Array<[string, Filter[]]> = [
      ['the personas', [personas]],
      ['the personas with limit 1', [{ ...personas, limit: 1 }]],
      ['personas and notes in two filters that share no event', [{ ...personas, limit: 1 }, notes]],
    ]
    for (const [what, filters] of questions) {
      const expected = filters.reduce((sum, filter) => sum + written.filter((e) => matchFilter(filter, e)).length, 0)
      const reply = await c.http.post('/count', filters)
      if (reply.status !== 200) violation(`POST /count of ${what} answered ${reply.status} ${reply.text.slice(0, 200)}`)
      const count = (reply.json as { count?: unknown } | undefined)?.count
      if (count !== expected) violation(`POST /count of ${what} answered ${JSON.stringify(reply.json)}, expected {"count": ${expected}}`)
    }
  },
)
