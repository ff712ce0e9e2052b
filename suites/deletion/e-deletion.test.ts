import { controlAccepted, expectAccepted, relayCase } from '../../harness/src/authoring.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { controlDeletionHonoured, publishDeletionOf } from '../lib/deletion.ts'
import { controlHead, controlServedById, expectHead, expectNoneById, readIds, readSettled } from '../lib/reads.ts'

relayCase(
  {
    id: 'deletion.e-superseded-keeps-head',
    title: 'an e deletion of a superseded version leaves the head as it was, and the deleted version is not returned',
    requirements: ['AP-DEL-10', 'AP-DEL-4'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const t = c.now() - 30
    const old = c.persona({ slug, created_at: t })
    const head = c.persona({ slug, created_at: t + 10 })
    expectAccepted(await ws.publish(old), 'the first version')
    expectAccepted(await ws.publish(head), 'the head')
    await controlHead(ws, c.keys.pubkey, slug, head, 'the head')
    const deletion = c.sign({ kind: DeletionKind, created_at: t + 20, tags: [['e', old.id], ['k', String(PersonaKind)]] })
    // A relay that discarded the superseded version (NIP-01 allows it) may refuse to delete
    // what it no longer holds (the origin refuses unknown e targets); then nothing is judged.
    controlAccepted(await ws.publish(deletion), 'the owner\'s e deletion of the superseded version')
    // NIP-01 keeps the latest version: a deletion that does not name it leaves it (MUST).
    await expectHead(ws, c.keys.pubkey, slug, head, 'the read after deleting a superseded version')
    // NIP-09: the named version should go (SHOULD).
    const byId = await readSettled(
      () => readIds(ws, [old.id]),
      (answer) => answer.length === 0,
    )
    c.should(byId.length === 0, `the e-deleted superseded version ${old.id.slice(0, 12)} is still returned by id`)
  },
)

relayCase(
  {
    id: 'deletion.e-removes-event',
    title: 'an e deletion by the author naming two personas removes both (one e deletion each where the relay refuses two targets)',
    requirements: ['AP-DEL-4'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const t = c.now() - 30
    const personas = [c.persona({ created_at: t }), c.persona({ created_at: t + 1 })]
    for (const persona of personas) expectAccepted(await ws.publish(persona), 'a persona')
    await controlServedById(ws, personas, 'the two personas')
    await publishDeletionOf(c, ws, personas.map((p) => ['e', p.id]), t + 10, 'the author\'s e deletion of both', expectAccepted)
    await expectNoneById(ws, personas.map((p) => p.id), 'the e-deleted personas')
  },
)

relayCase(
  {
    id: 'deletion.e-resend-stays-deleted',
    title: 'a persona deleted by an e deletion and then sent again is not served again',
    requirements: ['AP-DEL-4'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const t = c.now() - 30
    const persona = c.persona({ created_at: t })
    expectAccepted(await ws.publish(persona), 'the persona')
    await controlServedById(ws, [persona], 'the persona')
    const deletion = c.sign({ kind: DeletionKind, created_at: t + 10, tags: [['e', persona.id], ['k', String(PersonaKind)]] })
    expectAccepted(await ws.publish(deletion), 'the author\'s e deletion')
    await expectNoneById(ws, [persona.id], 'the e-deleted persona')
    await ws.publish(persona) // any OK: NIP-09 says nothing of the answer, only that the event stays deleted
    await expectNoneById(ws, [persona.id], 'the e-deleted persona sent again')
  },
)
