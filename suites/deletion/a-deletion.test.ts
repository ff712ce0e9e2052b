import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { selectHeads } from '../../spec/model/head.ts'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import { DeletionKind } from '../../spec/model/kinds.ts'
import { controlDeletionHonoured } from '../lib/deletion.ts'
import { watch } from '../lib/live.ts'
import { addressFilter, controlHead, controlServedById, describeEvent, describeIds, expectHead, expectNoVersion, expectNoneById, readAddress, readIds, readIdsSettled, readSettled, short } from '../lib/reads.ts'

relayCase(
  {
    id: 'deletion.a-removes-head',
    title: 'an a deletion by the owner removes every version up to its created_at, the head included',
    requirements: ['AP-DEL-3'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const t = c.now() - 30
    const v1 = c.persona({ slug, created_at: t })
    const v2 = c.persona({ slug, created_at: t + 10 })
    expectAccepted(await ws.publish(v1), 'the first version')
    expectAccepted(await ws.publish(v2), 'the head')
    await controlHead(ws, c.keys.pubkey, slug, v2, 'the head before the deletion')
    await controlServedById(ws, [v2], 'the head before the deletion')
    const deletion = c.sign({ kind: DeletionKind, created_at: t + 20, tags: personaDeletionTags(c.keys.pubkey, slug) })
    expectAccepted(await ws.publish(deletion), 'the owner\'s a deletion')
    await expectNoVersion(ws, c.keys.pubkey, slug, 'the read after the deletion')
    await expectNoneById(ws, [v1.id, v2.id], 'the deleted versions')
  },
)

/**
 * AMB-57, reading (a): NIP-09 bounds an `a` deletion by its created_at, so a head newer than
 * the deletion, stored before it arrives, is not reached and stays the head (NIP-01: the
 * latest version MUST be stored). The origin relay removes every version it holds at the
 * address, head included (ORIGIN-RELAY.md section 5), and the origin profile does not ask
 * otherwise: under `--profile origin` the case is skipped.
 */
relayCase(
  {
    id: 'deletion.a-older-keeps-head',
    title: 'an a deletion older than the head leaves that head served, and the older version it covers does not come back',
    requirements: ['AP-REPL-1', 'AP-DEL-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    if (c.settings.profile === 'origin') {
      return c.skip('the origin relay\'s a deletion removes every version at the address, head included (ORIGIN-RELAY.md section 5; AMB-57): judged under --profile core')
    }
    const ws = await c.connect()
    // A relay that ignores deletions keeps the head for no reason of its own: judge only one that honours them.
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const t = c.now() - 30
    const v1 = c.persona({ slug, created_at: t })
    const v2 = c.persona({ slug, created_at: t + 10 })
    expectAccepted(await ws.publish(v1), 'the first version')
    expectAccepted(await ws.publish(v2), 'a version ten seconds newer')
    await controlHead(ws, c.keys.pubkey, slug, v2, 'the head before the deletion')
    // Whether the relay still returns v1 by id before the deletion: only then does its absence afterwards say anything.
    const v1Held = (await readIdsSettled(ws, [v1.id])).length > 0
    const deletion = c.sign({ kind: DeletionKind, created_at: t + 5, tags: personaDeletionTags(c.keys.pubkey, slug) })
    expectAccepted(await ws.publish(deletion), 'the owner\'s a deletion, five seconds older than the head')
    const versions = await readSettled(
      () => readAddress(ws, c.keys.pubkey, slug),
      (answer) => selectHeads(answer)[0]?.id === v2.id && !answer.some((e) => e.id === v1.id),
    )
    const head = selectHeads(versions)[0]
    if (head?.id !== v2.id) {
      const served = head?.id === v1.id ? `the older ${short(v1.id)}, which the deletion covers, came back as the head` : `the address read gives ${describeEvent(head)}`
      violation(
        `the owner's a deletion at ${deletion.created_at} removed the head ${describeEvent(v2)}, newer than it: ${served}. ` +
          'NIP-01: "only the latest event MUST be stored by relays"; NIP-09 deletes "up to the `created_at` timestamp of the deletion request event" (AMB-57 (a))',
      )
    }
    const v1InAnswer = versions.some((e) => e.id === v1.id)
    c.should(!v1InAnswer, `the read of the address after the deletion still returns ${short(v1.id)}, which the deletion covers (NIP-09: "relays SHOULD delete all versions ... up to the \`created_at\` timestamp")`)
    if (!v1Held) return c.note(`the relay no longer returned the superseded ${short(v1.id)} by id before the deletion: its absence by id afterwards is not judged`)
    const byId = await readSettled(
      () => readIds(ws, [v1.id]),
      (answer) => answer.length === 0,
    )
    c.should(byId.length === 0, `the relay still returns ${short(v1.id)} by id after the owner's a deletion covering it (NIP-09: "relays SHOULD delete all versions ... up to the \`created_at\` timestamp")`)
  },
)

relayCase(
  {
    id: 'deletion.a-covers-late-arrivals',
    title: 'versions at or before an a deletion that arrive after it, the deleted head sent again included, are never served or delivered',
    requirements: ['AP-DEL-3'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const d = c.now() - 20
    const head = c.persona({ slug, created_at: d - 10 })
    expectAccepted(await ws.publish(head), 'the head before the deletion')
    await controlHead(ws, c.keys.pubkey, slug, head, 'the head before the deletion')
    const deletion = c.sign({ kind: DeletionKind, created_at: d, tags: personaDeletionTags(c.keys.pubkey, slug) })
    expectAccepted(await ws.publish(deletion), 'the owner\'s a deletion')
    await expectNoVersion(ws, c.keys.pubkey, slug, 'the read after the deletion')
    const live = await watch(c, ws, [addressFilter(c.keys.pubkey, slug)])
    const older = c.persona({ slug, created_at: d - 5 })
    const equal = c.persona({ slug, created_at: d })
    // Any OK: NIP-09 says nothing of how a late arrival is answered, only that it is deleted.
    for (const late of [older, equal, head]) await ws.publish(late)
    const delivered = await live.settle()
    if (delivered.length > 0) violation(`versions covered by the deletion were delivered live: ${describeIds(delivered)}`)
    await expectNoVersion(ws, c.keys.pubkey, slug, 'the read after late versions at or before the deletion')
    await expectNoneById(ws, [older.id, equal.id, head.id], 'the versions covered by the deletion')
  },
)

relayCase(
  {
    id: 'deletion.newer-resurrects',
    title: 'a version newer than an a deletion is accepted and served as the head',
    requirements: ['AP-DEL-5', 'AP-RELAY-1'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    // Without deletions there is nothing to resurrect from: the case would pass for no reason.
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const d = c.now() - 20
    const old = c.persona({ slug, created_at: d - 10 })
    expectAccepted(await ws.publish(old), 'the head before the deletion')
    await controlHead(ws, c.keys.pubkey, slug, old, 'the head before the deletion')
    const deletion = c.sign({ kind: DeletionKind, created_at: d, tags: personaDeletionTags(c.keys.pubkey, slug) })
    expectAccepted(await ws.publish(deletion), 'the owner\'s a deletion')
    const reborn = c.persona({ slug, created_at: d + 1, body: { display_name: 'Reborn', system_prompt: 'back' } })
    expectAccepted(await ws.publish(reborn), 'a version one second newer than the deletion')
    await expectHead(ws, c.keys.pubkey, slug, reborn, 'the read after resurrection')
  },
)

relayCase(
  {
    id: 'deletion.newer-resurrects-live',
    title: 'a version newer than an a deletion is delivered to an open subscription of its address',
    requirements: ['AP-RELAY-3', 'AP-DEL-5'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const d = c.now() - 20
    const old = c.persona({ slug, created_at: d - 10 })
    expectAccepted(await ws.publish(old), 'the head before the deletion')
    await controlHead(ws, c.keys.pubkey, slug, old, 'the head before the deletion')
    expectAccepted(await ws.publish(c.sign({ kind: DeletionKind, created_at: d, tags: personaDeletionTags(c.keys.pubkey, slug) })), 'the owner\'s a deletion')
    const live = await watch(c, ws, [addressFilter(c.keys.pubkey, slug)])
    const reborn = c.persona({ slug, created_at: d + 1, body: { display_name: 'Reborn', system_prompt: 'back' } })
    expectAccepted(await ws.publish(reborn), 'a version one second newer than the deletion')
    const delivered = await live.settle()
    if (!delivered.some((e) => e.id === reborn.id)) violation(`the resurrected version was not delivered live (delivered: ${delivered.map((e) => e.id.slice(0, 12)).join(', ') || 'nothing'})`)
  },
)

relayCase(
  {
    id: 'deletion.request-served',
    title: 'an accepted deletion request is kept and served',
    requirements: ['AP-DEL-8'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const t = c.now() - 20
    const persona = c.persona({ slug, created_at: t })
    expectAccepted(await ws.publish(persona), 'the persona')
    await controlServedById(ws, [persona], 'the persona')
    const deletion = c.sign({ kind: DeletionKind, created_at: t + 5, tags: personaDeletionTags(c.keys.pubkey, slug) })
    expectAccepted(await ws.publish(deletion), 'the owner\'s a deletion')
    const served = await readIdsSettled(ws, [deletion.id], [DeletionKind])
    if (served.length !== 1) violation('the deletion request is not returned to a read by its id')
  },
)
