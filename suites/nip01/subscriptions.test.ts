import { HarnessError, expectAccepted, isHarnessError, relayCase, violation } from '../../harness/src/authoring.ts'
import { verifyEventSignature } from '../../spec/model/event.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { watch } from '../lib/live.ts'
import { describeIds, readIds } from '../lib/reads.ts'

relayCase(
  {
    id: 'nip01.eose-then-live',
    title: 'a REQ gets its stored events, then EOSE, then newly accepted matching events',
    requirements: ['AP-BASE-6', 'AP-RELAY-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 20
    const stored = [c.persona({ created_at: t }), c.sign({ kind: 1, created_at: t + 1, content: 'stored note' })]
    for (const event of stored) expectAccepted(await ws.publish(event), 'a stored event')
    const sub = ws.subscribe([{ authors: [c.keys.pubkey] }])
    let reply
    try {
      reply = await sub.stored()
    } catch (error) {
      if (isHarnessError(error) && error.kind === 'timeout') violation(`no EOSE within ${c.timeoutMs} ms after the stored events`)
      throw error
    }
    if (!reply.eose) violation(`the REQ was CLOSED instead of ending with EOSE: ${JSON.stringify(reply.closed)}`)
    const missing = stored.filter((e) => !reply.events.some((r) => r.id === e.id))
    if (missing.length > 0) violation(`stored events missing before EOSE: ${describeIds(missing)}`)
    const fresh = c.sign({ kind: 1, content: 'live note' })
    expectAccepted(await ws.publish(fresh), 'a new note')
    await sub.waitForEvent((e) => e.id === fresh.id, 'the new note delivered after EOSE')
  },
)

relayCase(
  {
    id: 'nip01.close-stops-delivery',
    title: 'after CLOSE the relay sends nothing more on that subscription',
    requirements: ['AP-BASE-7'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const closed = ws.subscribe([{ authors: [c.keys.pubkey] }])
    const first = await closed.stored()
    if (!first.eose) throw new HarnessError('protocol', `the REQ was CLOSED by the relay: ${first.closed ?? ''}`)
    closed.close()
    // A second subscription on the same connection is the barrier: it sees the same events.
    const live = await watch(c, ws, [{ authors: [c.keys.pubkey] }])
    const after = ws.mark
    const note = c.sign({ kind: 1, content: 'after CLOSE' })
    expectAccepted(await ws.publish(note), 'a note after CLOSE')
    await live.settle()
    const leaked = ws.frames.slice(after).filter((f) => f[1] === closed.id && f[0] !== 'CLOSED')
    if (leaked.length > 0) violation(`the closed subscription still received ${leaked.map((f) => String(f[0])).join(', ')}`)
  },
)

relayCase(
  {
    id: 'nip01.no-duplicate-delivery',
    title: 'an event matching two filters of one subscription is sent once, stored and live',
    requirements: ['AP-BASE-15'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const stored = c.sign({ kind: 1, created_at: c.now() - 10, content: 'stored' })
    expectAccepted(await ws.publish(stored), 'a stored note')
    const filters = [{ authors: [c.keys.pubkey] }, { kinds: [1], authors: [c.keys.pubkey] }]
    const live = await watch(c, ws, filters)
    const storedCopies = live.stored.filter((e) => e.id === stored.id).length
    if (storedCopies !== 1) violation(`the stored note was sent ${storedCopies} times before EOSE`)
    const fresh = c.sign({ kind: 1, content: 'live' })
    expectAccepted(await ws.publish(fresh), 'a live note')
    const delivered = await live.settle()
    const liveCopies = delivered.filter((e) => e.id === fresh.id).length
    if (liveCopies !== 1) violation(`the live note was delivered ${liveCopies} times`)
  },
)

relayCase(
  {
    id: 'nip01.events-as-signed',
    title: 'events come back exactly as signed (escapes, unicode, control characters, tag order) and still verify',
    requirements: ['AP-BASE-8'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const content = JSON.stringify({
      display_name: 'Quote " backslash \\ tab \t é 😀 \u0001 \u2028',
      system_prompt: 'line1\nline2 </script> & <b>',
      x_unknown: { nested: [1, 2.5, null, true] },
    })
    const events: NostrEvent[] = [
      c.persona({ slug, content, tags: [['d', slug], ['alt', 'agent persona definition'], ['t', 'ünïcödé'], ['z', '', 'third']] }),
      c.sign({ kind: 1, content: '  leading and trailing spaces  \r\n', tags: [['t', 'b'], ['t', 'a']] }),
    ]
    for (const event of events) expectAccepted(await ws.publish(event), `event ${event.id.slice(0, 12)}`)
    const served = await readIds(ws, events.map((e) => e.id))
    for (const event of events) {
      const copy = served.find((e) => e.id === event.id)
      if (copy === undefined) violation(`event ${event.id.slice(0, 12)} was accepted but is not served`)
      for (const field of ['id', 'pubkey', 'created_at', 'kind', 'tags', 'content', 'sig'] as const) {
        if (JSON.stringify(copy[field]) !== JSON.stringify(event[field])) {
          violation(`field ${field} of ${event.id.slice(0, 12)} changed: signed ${JSON.stringify(event[field])}, served ${JSON.stringify(copy[field])}`)
        }
      }
      if (!verifyEventSignature(copy)) violation(`the served copy of ${event.id.slice(0, 12)} does not verify`)
    }
  },
)
