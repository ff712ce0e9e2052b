import { controlAccepted, expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import { ForeignDeletionRefusal, OriginDeletionRefusals, originTargetCountRefusal, personaDeletionTags } from '../../spec/model/deletion.ts'
import { DeletionKind } from '../../spec/model/kinds.ts'
import { controlDeletionHonoured } from '../lib/deletion.ts'
import { OriginDuplicateMessage } from '../../spec/model/reasons.ts'
import { publishRefused } from '../lib/origin.ts'
import { controlHead, expectHead, expectNoneById, readIdsSettled } from '../lib/reads.ts'

relayCase(
  {
    id: 'deletion.foreign-ignored',
    title: 'deletion requests signed by another key (a and e forms) never remove the owner\'s persona',
    requirements: ['AP-DEL-6'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    // A relay that deletes nothing passes for no reason: judge only one that deletes.
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const t = c.now() - 30
    const head = c.persona({ slug, created_at: t })
    expectAccepted(await ws.publish(head), 'the owner\'s persona')
    await controlHead(ws, c.keys.pubkey, slug, head, 'the owner\'s persona')
    const intruder = c.freshKeys()
    const byAddress = c.sign({ kind: DeletionKind, created_at: t + 10, tags: personaDeletionTags(c.keys.pubkey, slug) }, intruder)
    const byId = c.sign({ kind: DeletionKind, created_at: t + 10, tags: [['e', head.id]] }, intruder)
    await ws.publish(byAddress) // accepting or refusing are both allowed in core
    await ws.publish(byId)
    await expectHead(ws, c.keys.pubkey, slug, head, 'the read after foreign deletions')
    const served = await readIdsSettled(ws, [head.id])
    if (served.length !== 1) violation('the persona is no longer returned by id after foreign deletions')
  },
)

relayCase(
  {
    id: 'deletion.foreign-refused-origin',
    title: 'an origin relay refuses deletions naming another author\'s address or held event, a superseded version included, with invalid: must be event author',
    requirements: ['AP-DEL-7'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const t = c.now() - 30
    const superseded = c.persona({ slug, created_at: t - 5 })
    const head = c.persona({ slug, created_at: t })
    expectAccepted(await ws.publish(superseded), 'the owner\'s first version')
    expectAccepted(await ws.publish(head), 'the owner\'s persona')
    await controlHead(ws, c.keys.pubkey, slug, head, 'the head')
    const intruder = c.freshKeys()
    const attempts = [
      ['an a deletion of another owner\'s address', personaDeletionTags(c.keys.pubkey, slug)],
      ['an e deletion of another author\'s held event', [['e', head.id]]],
      // The origin keeps a superseded version as a soft-deleted row: held, deleted (AP-DEL-7 "deleted or not").
      ['an e deletion of another author\'s superseded version', [['e', superseded.id]]],
    ] as const
    for (const [what, tags] of attempts) {
      const reply = await ws.publish(c.sign({ kind: DeletionKind, created_at: t + 10, tags: tags.map((tag) => [...tag]) }, intruder))
      expectRefused(reply, 'invalid', what)
      if (reply.message !== ForeignDeletionRefusal) {
        violation(`${what}: expected ${JSON.stringify(ForeignDeletionRefusal)}, got ${JSON.stringify(reply.message)}`)
      }
    }
  },
)

relayCase(
  {
    id: 'deletion.target-texts-origin',
    title: 'an origin relay refuses a deletion with no e or a tag, or naming an event it never held, with the exact texts',
    requirements: ['AP-DEL-12'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const head = c.persona({ created_at: c.now() - 30 })
    controlAccepted(await ws.publish(head), "the owner's persona")
    const never = c.persona({ created_at: c.now() - 20 })
    await publishRefused(ws, c.sign({ kind: DeletionKind, tags: [['k', '30175']] }), OriginDeletionRefusals.missingTarget, 'a deletion with only a k tag')
    await publishRefused(ws, c.sign({ kind: DeletionKind, tags: [['e', never.id]] }), OriginDeletionRefusals.targetMissing, 'an e deletion of an event never published')
    await expectHead(ws, c.keys.pubkey, head.tags[0]?.[1] as string, head, 'the read after the refused deletions')
  },
)

relayCase(
  {
    id: 'deletion.one-target-origin',
    title: 'an origin relay refuses a deletion naming more than one target (e and a together, two a, two e) with the exact text, after the authorship checks',
    requirements: ['AP-DEL-11'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 60
    const [one, two] = [c.slug('one'), c.slug('two')]
    const first = c.persona({ slug: one, created_at: t })
    const second = c.persona({ slug: two, created_at: t })
    controlAccepted(await ws.publish(first), 'persona one')
    controlAccepted(await ws.publish(second), 'persona two')
    const [a1, a2] = [personaDeletionTags(c.keys.pubkey, one)[0] as string[], personaDeletionTags(c.keys.pubkey, two)[0] as string[]]
    const attempts: Array<[string, string[][], number, number]> = [
      ['an a deletion that also names the head by e', [a1, ['e', first.id], ['k', '30175']], 1, 1],
      ['a deletion with two a tags', [a1, a2, ['k', '30175']], 0, 2],
      ['a deletion with two e tags', [['e', first.id], ['e', second.id]], 2, 0],
    ]
    for (const [what, tags, e, a] of attempts) {
      await publishRefused(ws, c.sign({ kind: DeletionKind, created_at: t + 10, tags }), originTargetCountRefusal(e, a), what)
    }
    // Authorship first: a foreign a tag beside our own is refused as foreign, not as two targets.
    const stranger = c.freshKeys()
    await publishRefused(
      ws,
      c.sign({ kind: DeletionKind, created_at: t + 10, tags: [['a', `30175:${stranger.pubkey}:x`], a1] }),
      ForeignDeletionRefusal,
      "a deletion whose first a tag names another author's address, with a second a tag",
    )
    await expectHead(ws, c.keys.pubkey, one, first, 'persona one after the refused deletions')
    await expectHead(ws, c.keys.pubkey, two, second, 'persona two after the refused deletions')
    expectAccepted(await ws.publish(c.sign({ kind: DeletionKind, created_at: t + 10, tags: personaDeletionTags(c.keys.pubkey, one) })), 'an a deletion with one target')
  },
)

relayCase(
  {
    id: 'deletion.resend-stays-deleted-origin',
    title: 'an origin relay answers a re-send of a deleted event exactly duplicate: and keeps it deleted',
    requirements: ['AP-RELAY-11'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const head = c.persona({ slug, created_at: c.now() - 30 })
    controlAccepted(await ws.publish(head), "the owner's persona")
    await controlHead(ws, c.keys.pubkey, slug, head, 'the persona')
    controlAccepted(await ws.publish(c.sign({ kind: DeletionKind, created_at: c.now() - 20, tags: [['e', head.id]] })), 'an e deletion of the persona')
    await expectNoneById(ws, [head.id], 'the persona after its e deletion')
    const again = await ws.publish(head)
    if (!again.accepted || again.message !== OriginDuplicateMessage) violation(`the deleted persona sent again was answered OK ${again.accepted} ${JSON.stringify(again.message)}; expected OK true "duplicate:"`)
    await expectNoneById(ws, [head.id], 'the deleted persona after it was sent again')
  },
)
