import { expectAccepted, relayCase } from '../../harness/src/authoring.ts'

relayCase(
  {
    id: 'slug.other-kinds-unchecked',
    title: 'the persona envelope and slug grammar are not applied to kinds other than 30175',
    requirements: ['AP-KIND-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    // Kind 30176 is addressable like 30175, so a relay that keys the check on the range
    // instead of the kind refuses these.
    const addressable = c.sign({ kind: 30176, tags: [['d', 'Not A Slug!']], content: 'x' })
    expectAccepted(await ws.publish(addressable), 'a kind 30176 event whose d value breaks the slug grammar')
    const empty = c.sign({ kind: 30176, tags: [['d', '']], content: 'x' })
    expectAccepted(await ws.publish(empty), 'a kind 30176 event with an empty d value')
    const note = c.sign({ kind: 1, tags: [['d', 'UPPER'], ['d', 'two']], content: 'a note with two d tags' })
    expectAccepted(await ws.publish(note), 'a kind 1 note carrying two d tags')
  },
)
