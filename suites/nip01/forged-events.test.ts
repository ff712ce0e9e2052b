import { type CaseContext, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { watch } from '../lib/live.ts'
import { controlHead, controlServedById, describeIds, expectHead, expectNoneById } from '../lib/reads.ts'
import { expectRefusal } from '../lib/refusals.ts'

function copyOf(event: NostrEvent, change: Partial<NostrEvent>): NostrEvent {
  const { id, pubkey, created_at, kind, tags, content, sig } = event
  return { id, pubkey, created_at, kind, tags, content, sig, ...change }
}

/** Forgeries of fresh personas: fields changed after signing, and a signature of another event. */
function forgeries(c: CaseContext): Array<[what: string, event: NostrEvent]> {
  const donor = c.persona()
  const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1)
  const persona = c.persona()
  return [
    ['a persona whose content changed after signing (wrong id)', copyOf(c.persona(), { content: '{"display_name":"Forged","system_prompt":"x"}' })],
    ['a persona whose created_at changed after signing (wrong id)', copyOf(persona, { created_at: persona.created_at - 1 })],
    ['a persona carrying another event\'s signature', copyOf(c.persona(), { sig: donor.sig })],
    ['a persona with one flipped signature nibble', copyOf(c.persona(), { sig: flip(c.persona().sig) })],
  ]
}

relayCase(
  {
    id: 'nip01.forged-refused',
    title: 'personas with a wrong id or a signature that does not verify are refused, never stored and never delivered',
    requirements: ['AP-BASE-4', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const genuine = c.persona()
    expectAccepted(await ws.publish(genuine), 'a genuine persona of the same key')
    await controlServedById(ws, [genuine], 'a genuine persona of the same key')
    const live = await watch(c, ws, [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    const sent = forgeries(c)
    for (const [what, event] of sent) expectRefusal(c, await ws.publish(event), what)
    const delivered = await live.settle()
    if (delivered.length > 0) violation(`forged personas were delivered live: ${describeIds(delivered)}`)
    await expectNoneById(ws, sent.map(([, e]) => e.id), 'the forged personas')
  },
)

relayCase(
  {
    id: 'nip01.forged-version-refused',
    title: 'a forged stale or newer version of a persona the relay holds is refused: the signature decides before replacement does',
    requirements: ['AP-BASE-4', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const head = c.persona({ slug, created_at: c.now() - 5 })
    expectAccepted(await ws.publish(head), 'a genuine head')
    await controlHead(ws, c.keys.pubkey, slug, head, 'the genuine head')
    const donor = c.persona({ slug: c.slug('donor') })
    const forged: NostrEvent[] = []
    for (const [what, createdAt] of [['a forged stale version', head.created_at - 10], ['a forged newer version', head.created_at + 1]] as const) {
      const event = copyOf(c.persona({ slug, created_at: createdAt }), { sig: donor.sig })
      expectRefusal(c, await ws.publish(event), `${what} of a held persona (its signature does not verify)`)
      forged.push(event)
    }
    await expectHead(ws, c.keys.pubkey, slug, head, 'the read after forged versions')
    await expectNoneById(ws, forged.map((e) => e.id), 'the forged versions')
  },
)
