import { expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import { ForeignDeletionRefusal, personaDeletionTags } from '../../spec/model/deletion.ts'
import { DeletionKind } from '../../spec/model/kinds.ts'
import { controlDeletionHonoured } from '../lib/deletion.ts'
import { controlHead, expectHead, readIdsSettled } from '../lib/reads.ts'

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
    title: 'an origin relay refuses deletions naming another author\'s address or held event with invalid: must be event author',
    requirements: ['AP-DEL-7'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const t = c.now() - 30
    const head = c.persona({ slug, created_at: t })
    expectAccepted(await ws.publish(head), 'the owner\'s persona')
    const intruder = c.freshKeys()
    const attempts = [
      ['an a deletion of another owner\'s address', personaDeletionTags(c.keys.pubkey, slug)],
      ['an e deletion of another author\'s held event', [['e', head.id]]],
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
