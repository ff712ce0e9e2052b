import { control, expectAccepted, isHarnessError, relayCase, violation } from '../../harness/src/authoring.ts'
import { verifyEventSignature } from '../../spec/model/event.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { OriginMaxSubscriptions, SubscriptionLimitRefusal } from '../../spec/model/subscription-limit.ts'
import { GraceMs, storedOrSkip, watch } from '../lib/live.ts'
import { controlServedById, describeIds } from '../lib/reads.ts'

relayCase(
  {
    id: 'nip01.eose-then-live',
    title: 'a REQ gets its stored events, then EOSE, then newly accepted matching events',
    requirements: ['AP-BASE-6', 'AP-RELAY-3'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 20
    const stored = [c.persona({ created_at: t }), c.persona({ created_at: t + 1 })]
    for (const event of stored) expectAccepted(await ws.publish(event), 'a stored persona')
    // This case owns EOSE and live delivery: their absence is its warning, nobody else's
    // (every other case reads through EOSE and skips without it). So it cannot read its
    // stored events to check that they are there: it waits for them on the REQ itself.
    const sub = ws.subscribe([{ kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    let reply
    try {
      reply = await sub.stored()
    } catch (error) {
      if (isHarnessError(error) && error.kind === 'timeout') {
        const early = sub.events.filter((e) => stored.some((s) => s.id === e.id))
        violation(`no EOSE within ${c.timeoutMs} ms after the stored events (${early.length} of ${stored.length} stored personas had arrived)`)
      }
      throw error
    }
    control(reply.eose, `the relay refused the REQ with CLOSED ${JSON.stringify(reply.closed ?? '')}`)
    await sub.eventsWithin(GraceMs * 5)
    const late = stored.filter((e) => !reply.events.some((r) => r.id === e.id) && sub.events.some((r) => r.id === e.id))
    if (late.length > 0) violation(`stored events came after EOSE instead of before it: ${describeIds(late)}`)
    control(
      stored.every((e) => reply.events.some((r) => r.id === e.id)),
      `the REQ returned ${describeIds(reply.events)}, not the stored personas ${describeIds(stored)}; storage is replaceable.newer-replaces-older's to judge`,
    )
    const fresh = c.persona()
    expectAccepted(await ws.publish(fresh), 'a new persona')
    try {
      await sub.waitForEvent((e) => e.id === fresh.id, 'the new persona delivered after EOSE')
    } catch (error) {
      if (isHarnessError(error) && error.kind === 'timeout') violation(`a persona accepted after EOSE was not delivered on the open subscription within ${c.timeoutMs} ms`)
      throw error
    }
  },
)

relayCase(
  {
    id: 'nip01.close-stops-delivery',
    title: 'after CLOSE the relay sends nothing more on that subscription',
    requirements: ['AP-BASE-7'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const filters = [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }]
    const closed = ws.subscribe(filters)
    const first = await storedOrSkip(closed, c.timeoutMs)
    control(first.eose, `the relay refused the REQ with CLOSED ${JSON.stringify(first.closed ?? '')}`)
    closed.close()
    // A second subscription on the same connection is the barrier: it sees the same events.
    const live = await watch(c, ws, filters)
    const after = ws.mark
    const persona = c.persona()
    expectAccepted(await ws.publish(persona), 'a persona after CLOSE')
    const delivered = await live.settle()
    control(delivered.some((e) => e.id === persona.id), 'the persona published after CLOSE was not delivered on the open subscription either, so the closed one cannot be judged')
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
    const slug = c.slug()
    const stored = c.persona({ slug, created_at: c.now() - 10 })
    expectAccepted(await ws.publish(stored), 'a stored persona')
    await controlServedById(ws, [stored], 'the stored persona')
    const filters = [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }, { kinds: [PersonaKind], authors: [c.keys.pubkey], '#d': [slug] }]
    const live = await watch(c, ws, filters)
    const storedCopies = live.stored.filter((e) => e.id === stored.id).length
    control(storedCopies > 0, 'the stored persona was not returned to the subscription, so duplicates cannot be judged')
    if (storedCopies !== 1) violation(`the stored persona was sent ${storedCopies} times before EOSE`)
    const fresh = c.persona({ slug, created_at: c.now() })
    expectAccepted(await ws.publish(fresh), 'a newer version, matching both filters')
    const delivered = await live.settle()
    const liveCopies = delivered.filter((e) => e.id === fresh.id).length
    control(liveCopies > 0, 'the newer version was not delivered live, so duplicates cannot be judged')
    if (liveCopies !== 1) violation(`the newer version was delivered ${liveCopies} times`)
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
    const other = c.slug()
    const events: NostrEvent[] = [
      c.persona({ slug, content, tags: [['d', slug], ['alt', 'agent persona definition'], ['t', 'ünïcödé'], ['z', '', 'third']] }),
      c.persona({ slug: other, content: '  leading and trailing spaces  \r\n', tags: [['d', other], ['t', 'b'], ['t', 'a']] }),
    ]
    for (const event of events) expectAccepted(await ws.publish(event), `event ${event.id.slice(0, 12)}`)
    const served = await controlServedById(ws, events, 'the personas')
    for (const event of events) {
      const copy = served.find((e) => e.id === event.id) as NostrEvent
      for (const field of ['id', 'pubkey', 'created_at', 'kind', 'tags', 'content', 'sig'] as const) {
        if (JSON.stringify(copy[field]) !== JSON.stringify(event[field])) {
          violation(`field ${field} of ${event.id.slice(0, 12)} changed: signed ${JSON.stringify(event[field])}, served ${JSON.stringify(copy[field])}`)
        }
      }
      if (!verifyEventSignature(copy)) violation(`the served copy of ${event.id.slice(0, 12)} does not verify`)
    }
  },
)

relayCase(
  {
    id: 'nip01.subscription-limit-origin',
    title: 'an origin relay serves 1,024 subscriptions on one connection and refuses one more with CLOSED `error: too many subscriptions`',
    requirements: ['AP-RELAY-13'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    // A filter that matches nothing, so each REQ is answered by EOSE alone. Each REQ waits
    // for its answer before the next: the origin counts a subscription once it is filed.
    const filters = [{ kinds: [PersonaKind], authors: [c.freshKeys().pubkey] }]
    for (let open = 1; open <= OriginMaxSubscriptions; open++) {
      const reply = await ws.subscribe(filters).stored()
      if (!reply.eose) violation(`subscription ${open} of ${OriginMaxSubscriptions} on one connection was refused with CLOSED ${JSON.stringify(reply.closed ?? '')}`)
    }
    // Every one of the 1,024 got EOSE and stays open: one more must be refused.
    const extra = ws.subscribe(filters)
    let reply
    try {
      reply = await extra.stored()
    } catch (error) {
      if (isHarnessError(error) && error.kind === 'timeout') violation(`subscription ${OriginMaxSubscriptions + 1} got no answer within ${c.timeoutMs} ms (expected CLOSED)`)
      throw error
    }
    if (reply.eose) violation(`subscription ${OriginMaxSubscriptions + 1} on one connection was served (EOSE) instead of refused`)
    if (reply.closed !== SubscriptionLimitRefusal) {
      violation(`subscription ${OriginMaxSubscriptions + 1} was refused with CLOSED ${JSON.stringify(reply.closed ?? '')}, expected ${JSON.stringify(SubscriptionLimitRefusal)}`)
    }
  },
)
