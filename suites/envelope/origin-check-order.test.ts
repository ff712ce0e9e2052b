import { control, expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { SkewRefusal } from '../../spec/model/clock.ts'
import { ForeignDeletionRefusal, personaDeletionTags } from '../../spec/model/deletion.ts'
import { checkPersonaEnvelope, personaTags } from '../../spec/model/envelope.ts'
import { DeletionKind } from '../../spec/model/kinds.ts'
import { OriginDuplicateMessage } from '../../spec/model/reasons.ts'
import { MissingChannelRefusal } from '../../spec/model/scope.ts'
import { originWindow } from '../lib/origin.ts'

function withSig(event: NostrEvent, sig: string): NostrEvent {
  const { id, pubkey, created_at, kind, tags, content } = event
  return { id, pubkey, created_at, kind, tags, content, sig }
}

function envelopeMessage(tags: string[][]): string {
  const check = checkPersonaEnvelope(tags)
  if (check.ok) throw new Error(`case bug: tags ${JSON.stringify(tags)} pass the envelope`)
  return check.message
}

relayCase(
  {
    id: 'envelope.origin-check-order',
    title: 'an origin relay refuses an event breaking several rules with the message of the first rule in the specified order',
    requirements: ['AP-RELAY-5', 'AP-RELAY-4'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const window = originWindow(c)
    const future = c.now() + window.upper + c.clockMargin() + 60
    const donor = c.sign({ kind: 1, content: 'signature donor' })
    const owner = c.freshKeys()
    const cases: Array<[string, NostrEvent, string | ((message: string) => boolean)]> = [
      ['out of window and a bad slug: the window comes first', c.persona({ tags: personaTags('Bad Slug'), created_at: future }), SkewRefusal],
      [
        'two d tags with a bad slug: the d-tag count comes first',
        c.persona({ tags: [['d', 'Bad'], ['d', 'also-bad!']] }),
        envelopeMessage([['d', 'Bad'], ['d', 'also-bad!']]),
      ],
      ['a kind 9 without h, out of window: the window comes first', c.sign({ kind: 9, content: 'hi', created_at: future }), SkewRefusal],
      [
        'a foreign a deletion out of window: the window comes first',
        c.sign({ kind: DeletionKind, created_at: future, tags: personaDeletionTags(owner.pubkey, 'x') }),
        SkewRefusal,
      ],
      ['a kind 9 without h: the scope message', c.sign({ kind: 9, content: 'hi' }), MissingChannelRefusal],
      ['a foreign a deletion: the authorship message', c.sign({ kind: DeletionKind, tags: personaDeletionTags(owner.pubkey, 'x') }), ForeignDeletionRefusal],
      [
        'a bad signature and a bad slug: the signature comes first',
        withSig(c.persona({ tags: personaTags('Bad Slug') }), donor.sig),
        (message) => message !== envelopeMessage(personaTags('Bad Slug')),
      ],
      [
        'a bad signature, out of window: the signature comes first',
        withSig(c.persona({ created_at: future }), donor.sig),
        (message) => message !== SkewRefusal,
      ],
    ]
    for (const [what, event, expected] of cases) {
      const reply = await ws.publish(event)
      expectRefused(reply, 'invalid', what)
      const ok = typeof expected === 'string' ? reply.message === expected : expected(reply.message)
      if (!ok) {
        violation(`${what}: got ${JSON.stringify(reply.message)}${typeof expected === 'string' ? `, expected ${JSON.stringify(expected)}` : ''}`)
      }
    }
    // Stateful rules come last: a refused envelope never reaches replacement.
    const slug = c.slug()
    const head = c.persona({ slug, created_at: c.now() - 5 })
    expectAccepted(await ws.publish(head), 'a head')
    const staleAndBad = c.persona({ tags: [['d', slug], ['d', 'second']], created_at: c.now() - 50 })
    const reply = await ws.publish(staleAndBad)
    expectRefused(reply, 'invalid', 'a stale version with two d tags (the envelope comes before replacement)')
    // Duplicate detection is the last step too: a held event sent again intact is answered
    // `duplicate:` (the control: the relay holds the head and its duplicate path is seen), but a
    // copy of it with a signature that does not verify (same id) is refused for its signature,
    // not answered `duplicate:`.
    const resent = await ws.publish(head)
    control(
      resent.accepted && resent.message.startsWith(OriginDuplicateMessage),
      `the head sent again intact got OK ${resent.accepted} ${JSON.stringify(resent.message)}, not OK true "${OriginDuplicateMessage}": the relay's duplicate path was not seen`,
    )
    const forgedCopy = await ws.publish(withSig(head, donor.sig))
    expectRefused(forgedCopy, 'invalid', 'a copy of the held head with a bad signature (the signature comes before duplicate detection)')
  },
)
