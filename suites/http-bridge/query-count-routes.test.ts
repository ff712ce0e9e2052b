import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareForQuery } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { describeIds } from '../lib/reads.ts'
import { bridgeQuery } from '../lib/threads.ts'

relayCase(
  {
    id: 'http-bridge.query',
    title: 'POST /query answers 200 with the union of its filters, without duplicates, newest first',
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
    for (const event of [...personas, ...notes]) expectAccepted(await ws.publish(event), `event at ${event.created_at}`)
    const got = await bridgeQuery(c, [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }, { authors: [c.keys.pubkey], limit: 2 }], 'two overlapping filters')
    // Filter 1: both personas; filter 2: the two newest events (note +15, persona +10).
    const expected = ([personas[0], personas[1], notes[1]] as NostrEvent[]).sort(compareForQuery)
    if (got.map((e) => e.id).join() !== expected.map((e) => e.id).join()) {
      violation(`POST /query returned ${describeIds(got)}, expected the union newest first without repeats: ${describeIds(expected)}`)
    }
  },
)

relayCase(
  {
    id: 'http-bridge.count',
    title: 'POST /count answers 200 {count} over the distinct matches of its filters, limits removed',
    requirements: ['AP-HTTP-4'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 30
    for (const i of [0, 1, 2]) expectAccepted(await ws.publish(c.persona({ created_at: t + i })), `persona ${i}`)
    expectAccepted(await ws.publish(c.sign({ kind: 1, created_at: t, content: 'note' })), 'a note')
    const questions: Array<[string, unknown[], number]> = [
      ['the personas', [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }], 3],
      ['the personas with limit 1', [{ kinds: [PersonaKind], authors: [c.keys.pubkey], limit: 1 }], 3],
      ['two overlapping filters', [{ authors: [c.keys.pubkey] }, { kinds: [PersonaKind], authors: [c.keys.pubkey], limit: 1 }], 4],
    ]
    for (const [what, filters, expected] of questions) {
      const reply = await c.http.post('/count', filters)
      if (reply.status !== 200) violation(`POST /count of ${what} answered ${reply.status} ${reply.text.slice(0, 200)}`)
      const count = (reply.json as { count?: unknown } | undefined)?.count
      if (count !== expected) violation(`POST /count of ${what} answered ${JSON.stringify(reply.json)}, expected {"count": ${expected}}`)
    }
  },
)
