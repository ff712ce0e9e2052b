import { control, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { Frame } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { OriginDuplicateMessage } from '../../spec/model/reasons.ts'
import { okBarrier } from '../lib/live.ts'
import { checkPrefix } from '../lib/refusals.ts'

/** A copy of a signed event with one field changed and the old id and signature kept. */
function tampered(event: NostrEvent, change: Partial<NostrEvent>): NostrEvent {
  const { id, pubkey, created_at, kind, tags, content, sig } = event
  return { id, pubkey, created_at, kind, tags, content, sig, ...change }
}

relayCase(
  {
    id: 'nip01.ok-for-every-event',
    title: 'every EVENT gets exactly one OK: new, refused, forged (wrong id or bad signature), stale, out-of-window and re-sent events alike',
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
      tampered(c.persona(), { sig: c.persona().sig }), // right id, a signature that does not verify
      c.persona({ created_at: now + 86_400 * 3 }),
      c.sign({ kind: 1, content: 'a plain note' }), // refused or accepted: either way answered
    ]
    const since = ws.mark
    const expected = new Map<string, number>()
    for (const event of events) {
      expected.set(event.id, (expected.get(event.id) ?? 0) + 1)
      ws.send(['EVENT', event])
    }
    // A last persona as barrier: once its OK is in, every earlier OK had its chance.
    await okBarrier(c, ws)
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
    title: 'every OK false and every CLOSED message starts with a single-word machine-readable prefix and a colon',
    requirements: ['AP-BASE-2', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const since = ws.mark
    // Events a persona relay refuses (bad slug, no d tag, forged) and one it may refuse.
    for (const event of [
      c.persona({ tags: personaTags('Bad Slug') }),
      c.persona({ tags: [] }),
      tampered(c.persona(), { content: 'forged' }),
      c.persona({ created_at: c.now() + 86_400 * 3 }),
    ]) {
      ws.send(['EVENT', event])
    }
    // Requests a relay may answer with CLOSED: a malformed filter and an over-long subscription id.
    const limitation = c.probe.nip11.limitation
    const maxSubid = typeof limitation.max_subid_length === 'number' ? limitation.max_subid_length : 256
    ws.send(['REQ', `bad-filter-${c.slug()}`, { ids: ['not-hex'] }])
    if (maxSubid < 4096) ws.send(['REQ', 's'.repeat(maxSubid + 1), { limit: 1, ids: ['0'.repeat(64)] }])
    await okBarrier(c, ws)
    const frames = ws.frames.slice(since)
    const refusals = frames.filter((f) => (f[0] === 'OK' && f[2] === false) || f[0] === 'CLOSED')
    // Nothing refused means nothing to judge: a relay that accepts everything is judged elsewhere.
    control(refusals.length > 0, 'the relay refused none of the invalid personas and closed none of the requests, so no refusal message could be judged')
    for (const frame of refusals) {
      const message = frame[0] === 'OK' ? frame[3] : frame[2]
      if (typeof message !== 'string') violation(`a ${String(frame[0])} frame without a message string: ${JSON.stringify(frame)}`)
      checkPrefix(c, message, `${String(frame[0])} ${JSON.stringify(frame[1])}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.duplicate-resend',
    title: 'an origin relay answers an event it already holds, sent again, with exactly OK true "duplicate:"',
    requirements: ['AP-RELAY-11'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const persona = c.persona()
    expectAccepted(await ws.publish(persona), 'the persona')
    const again = await ws.publish(persona)
    if (!again.accepted || again.message !== OriginDuplicateMessage) {
      violation(`the re-sent persona got OK ${again.accepted} ${JSON.stringify(again.message)}, expected OK true ${JSON.stringify(OriginDuplicateMessage)}`)
    }
  },
)
