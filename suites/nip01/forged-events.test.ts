import { type CaseContext, expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { watch } from '../lib/live.ts'
import { describeIds, expectHead, readIds } from '../lib/reads.ts'

function copyOf(event: NostrEvent, change: Partial<NostrEvent>): NostrEvent {
  const { id, pubkey, created_at, kind, tags, content, sig } = event
  return { id, pubkey, created_at, kind, tags, content, sig, ...change }
}

/** Forgeries of fresh events: fields changed after signing, and a signature of another event. */
function forgeries(c: CaseContext): Array<[what: string, event: NostrEvent]> {
  const donor = c.persona()
  const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1)
  const persona = c.persona()
  return [
    ['a persona whose content changed after signing (wrong id)', copyOf(c.persona(), { content: '{"display_name":"Forged","system_prompt":"x"}' })],
    ['a persona whose created_at changed after signing (wrong id)', copyOf(persona, { created_at: persona.created_at - 1 })],
    ['a persona carrying another event\'s signature', copyOf(c.persona(), { sig: donor.sig })],
    ['a persona with one flipped signature nibble', copyOf(c.persona(), { sig: flip(c.persona().sig) })],
    ['a note with a flipped signature nibble', (() => { const n = c.sign({ kind: 1, content: 'note' }); return copyOf(n, { sig: flip(n.sig) }) })()],
  ]
}

relayCase(
  {
    id: 'nip01.forged-refused',
    title: 'events with a wrong id or a signature that does not verify are refused, never stored and never delivered',
    requirements: ['AP-BASE-4'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const live = await watch(c, ws, [{ authors: [c.keys.pubkey] }, { kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    const sent = forgeries(c)
    for (const [what, event] of sent) expectRefused(await ws.publish(event), undefined, what)
    const delivered = await live.settle()
    if (delivered.length > 0) violation(`forged events were delivered live: ${describeIds(delivered)}`)
    const stored = await readIds(ws, sent.map(([, e]) => e.id))
    if (stored.length > 0) violation(`forged events are served: ${describeIds(stored)}`)
  },
)

relayCase(
  {
    id: 'nip01.forged-version-refused',
    title: 'a forged stale or newer version of a persona the relay holds is refused: the signature decides before replacement does',
    requirements: ['AP-BASE-4'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const head = c.persona({ slug, created_at: c.now() - 5 })
    expectAccepted(await ws.publish(head), 'a genuine head')
    const donor = c.sign({ kind: 1, content: 'signature donor' })
    const forged: NostrEvent[] = []
    for (const [what, createdAt] of [['a forged stale version', head.created_at - 10], ['a forged newer version', head.created_at + 1]] as const) {
      const event = copyOf(c.persona({ slug, created_at: createdAt }), { sig: donor.sig })
      expectRefused(await ws.publish(event), undefined, `${what} of a held persona (its signature does not verify)`)
      forged.push(event)
    }
    await expectHead(ws, c.keys.pubkey, slug, head, 'the read after forged versions')
    const stored = await readIds(ws, forged.map((e) => e.id))
    if (stored.length > 0) violation(`forged versions are served: ${describeIds(stored)}`)
  },
)

relayCase(
  {
    id: 'nip01.forged-invalid-prefix',
    title: 'structural, id and signature refusals carry the invalid: prefix',
    requirements: ['AP-BASE-5'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    for (const [what, event] of forgeries(c)) {
      const reply = await ws.publish(event)
      if (reply.accepted) continue // nip01.forged-refused judges acceptance
      if (reply.prefix !== 'invalid') violation(`${what} was refused with ${JSON.stringify(reply.message)}, expected the invalid: prefix`)
    }
    // Structurally broken events: a created_at that is a string, a missing signature.
    const good = c.persona()
    const broken: Array<[string, Record<string, unknown>]> = [
      ['an event whose created_at is a string', { ...copyOf(good, {}), created_at: String(good.created_at) }],
      ['an event without sig', (({ sig: _sig, ...rest }) => rest)(copyOf(good, {}))],
    ]
    for (const [what, raw] of broken) {
      const since = ws.mark
      ws.send(['EVENT', raw])
      const frame = await ws.waitFor((f) => (f[0] === 'OK' && f[1] === good.id) || f[0] === 'NOTICE', `an answer to ${what}`, { since })
      const message = String(frame[0] === 'OK' ? frame[3] : frame[1])
      if (frame[0] === 'OK' && frame[2] === true) violation(`${what} was accepted`)
      if (!message.startsWith('invalid: ')) violation(`${what} was refused with ${JSON.stringify(message)}, expected the invalid: prefix`)
    }
  },
)
