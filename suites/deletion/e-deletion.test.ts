import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { describeIds, expectHead, readIds } from '../lib/reads.ts'

relayCase(
  {
    id: 'deletion.e-superseded-keeps-head',
    title: 'an e deletion of a superseded version leaves the head as it was and the deleted version is not returned',
    requirements: ['AP-DEL-4'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const t = c.now() - 30
    const old = c.persona({ slug, created_at: t })
    const head = c.persona({ slug, created_at: t + 10 })
    expectAccepted(await ws.publish(old), 'the first version')
    expectAccepted(await ws.publish(head), 'the head')
    const deletion = c.sign({ kind: DeletionKind, created_at: t + 20, tags: [['e', old.id], ['k', String(PersonaKind)]] })
    expectAccepted(await ws.publish(deletion), 'the owner\'s e deletion of the superseded version')
    await expectHead(ws, c.keys.pubkey, slug, head, 'the read after deleting a superseded version')
    const byId = await readIds(ws, [old.id])
    if (byId.length > 0) violation(`the e-deleted version is returned by id: ${describeIds(byId)}`)
  },
)

relayCase(
  {
    id: 'deletion.e-removes-event',
    title: 'an e deletion by the author removes the named event (a sole persona version and a note)',
    requirements: ['AP-DEL-4'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 30
    const persona = c.persona({ created_at: t })
    const note = c.sign({ kind: 1, created_at: t, content: 'to be deleted' })
    expectAccepted(await ws.publish(persona), 'the persona')
    expectAccepted(await ws.publish(note), 'the note')
    const deletion = c.sign({ kind: DeletionKind, created_at: t + 10, tags: [['e', persona.id], ['e', note.id]] })
    expectAccepted(await ws.publish(deletion), 'the author\'s e deletion')
    const byId = await readIds(ws, [persona.id, note.id])
    if (byId.length > 0) violation(`e-deleted events are still returned by id: ${describeIds(byId)}`)
  },
)
