import { expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import type { Frame } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import { GraceMs } from '../lib/live.ts'

/** A copy of a signed event with one field changed and the old id and signature kept. */
function tampered(event: NostrEvent, change: Partial<NostrEvent>): NostrEvent {
  const { id, pubkey, created_at, kind, tags, content, sig } = event
  return { id, pubkey, created_at, kind, tags, content, sig, ...change }
}

relayCase(
  {
    id: 'nip01.ok-for-every-event',
    title: 'every EVENT gets exactly one OK: new, refused, forged, stale, out-of-window and re-sent events alike',
    requirements: ['AP-BASE-1'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const head = c.persona({ slug, created_at: now - 10 })
    const events: NostrEvent[] = [
      head,
      c.persona({ slug, created_at: now - 20 }), // stale
      head, // re-sent
      c.persona({ tags: personaTags('Not-A-Slug') }),
      tampered(c.persona(), { content: 'changed after signing' }),
      c.persona({ created_at: now + 86_400 * 3 }),
      c.sign({ kind: 1, content: 'a plain note' }),
    ]
    const since = ws.mark
    const expected = new Map<string, number>()
    for (const event of events) {
      expected.set(event.id, (expected.get(event.id) ?? 0) + 1)
      ws.send(['EVENT', event])
    }
    // A last event as barrier: once its OK is in, every earlier OK had its chance.
    const marker = c.sign({ kind: 1, content: 'barrier' })
    expectAccepted(await ws.publish(marker), 'the barrier note')
    await ws.collectFor(GraceMs)
    const oks = ws.frames.slice(since).filter((f: Frame) => f[0] === 'OK')
    for (const [id, count] of expected) {
      const got = oks.filter((f) => f[1] === id)
      if (got.length !== count) violation(`event ${id.slice(0, 12)} was sent ${count} time(s) and got ${got.length} OK(s)`)
      for (const frame of got) {
        if (typeof frame[2] !== 'boolean' || typeof frame[3] !== 'string') violation(`malformed OK frame ${JSON.stringify(frame)}`)
      }
    }
  },
)

relayCase(
  {
    id: 'nip01.refusal-prefixes',
    title: 'every OK false and every CLOSED message starts with a machine-readable prefix',
    requirements: ['AP-BASE-2'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const refusals = [
      await ws.publish(c.persona({ tags: personaTags('Bad Slug') })),
      await ws.publish(c.persona({ tags: [] })),
      await ws.publish(tampered(c.persona(), { content: 'forged' })),
      await ws.publish(c.persona({ created_at: c.now() + 86_400 * 3 })),
    ]
    for (const reply of refusals) {
      if (reply.accepted) continue // other cases judge acceptance; this one judges the grammar of refusals
      expectRefused(reply, undefined, `the refusal of ${reply.id.slice(0, 12)}`)
    }
    // Provoke CLOSED where a relay may send it: a malformed filter and an over-long subscription id.
    const limitation = c.probe.nip11.limitation
    const maxSubid = typeof limitation.max_subid_length === 'number' ? limitation.max_subid_length : 256
    const since = ws.mark
    ws.send(['REQ', `bad-filter-${c.slug()}`, { ids: ['not-hex'] }])
    if (maxSubid < 4096) ws.send(['REQ', 's'.repeat(maxSubid + 1), { limit: 1, ids: ['0'.repeat(64)] }])
    const marker = c.sign({ kind: 1, content: 'barrier' })
    expectAccepted(await ws.publish(marker), 'the barrier note')
    await ws.collectFor(GraceMs)
    for (const frame of ws.frames.slice(since)) {
      if (frame[0] !== 'CLOSED') continue
      const message = typeof frame[2] === 'string' ? frame[2] : ''
      if (reasonPrefixOf(message) === null) violation(`CLOSED without a machine-readable prefix: ${JSON.stringify(frame)}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.notice-prefix',
    title: 'NOTICE messages (answers to malformed frames) start with a machine-readable prefix',
    requirements: ['AP-BASE-3'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const since = ws.mark
    for (const text of ['this is not json', '{"not":"an array"}', '["NO_SUCH_VERB", 1]', '["EVENT"]', '[]']) ws.sendText(text)
    const marker = c.sign({ kind: 1, content: 'barrier' })
    expectAccepted(await ws.publish(marker), 'the barrier note')
    await ws.collectFor(GraceMs)
    const notices = ws.frames.slice(since).filter((f) => f[0] === 'NOTICE')
    if (notices.length === 0) c.note('the relay sent no NOTICE for malformed frames; nothing to check')
    for (const frame of notices) {
      const message = typeof frame[1] === 'string' ? frame[1] : ''
      if (reasonPrefixOf(message) === null) violation(`NOTICE without a machine-readable prefix: ${JSON.stringify(frame)}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.duplicate-resend',
    title: 'an event the relay already holds, sent again, is answered OK true with a duplicate: message',
    requirements: ['AP-RELAY-11'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const persona = c.persona()
    expectAccepted(await ws.publish(persona), 'the persona')
    const again = await ws.publish(persona)
    if (!again.accepted || again.prefix !== 'duplicate') {
      violation(`the re-sent persona got OK ${again.accepted} ${JSON.stringify(again.message)}, expected OK true "duplicate: ..."`)
    }
    const note = c.sign({ kind: 1, content: 'sent twice' })
    expectAccepted(await ws.publish(note), 'the note')
    const noteAgain = await ws.publish(note)
    if (!noteAgain.accepted || noteAgain.prefix !== 'duplicate') {
      violation(`the re-sent note got OK ${noteAgain.accepted} ${JSON.stringify(noteAgain.message)}, expected OK true "duplicate: ..."`)
    }
  },
)
