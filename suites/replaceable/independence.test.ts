import { control, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { controlHead, describeIds, expectHead, readSettled, readStored } from '../lib/reads.ts'

relayCase(
  {
    id: 'replaceable.slugs-independent',
    title: 'versions at one slug never replace or hide the head of another slug of the same owner',
    requirements: ['AP-REPL-4', 'AP-REPL-1'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const now = c.now()
    const [a, b] = [c.slug('a'), c.slug('b')]
    const headB = c.persona({ slug: b, created_at: now - 30 })
    const oldA = c.persona({ slug: a, created_at: now - 20 })
    const newA = c.persona({ slug: a, created_at: now - 10 })
    expectAccepted(await ws.publish(headB), 'the persona at the second slug')
    await controlHead(ws, c.keys.pubkey, b, headB, 'the persona at the second slug')
    expectAccepted(await ws.publish(oldA), 'the first version at the first slug')
    expectAccepted(await ws.publish(newA), 'a newer version at the first slug')
    await expectHead(ws, c.keys.pubkey, b, headB, 'the untouched slug')
    await expectHead(ws, c.keys.pubkey, a, newA, 'the edited slug')
    const heads = [headB, newA]
    const listed = await readSettled(
      () => readStored(ws, [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }], 'the list read'),
      (answer) => heads.every((head) => answer.some((e) => e.id === head.id)),
    )
    for (const head of heads) {
      if (!listed.some((e) => e.id === head.id)) violation(`the list read of the owner lacks the head ${describeIds([head])}; got ${describeIds(listed)}`)
    }
  },
)

relayCase(
  {
    id: 'replaceable.owners-independent',
    title: 'two owners using the same slug have independent personas',
    requirements: ['AP-REPL-5', 'AP-REPL-1'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const now = c.now()
    const slug = c.slug('shared')
    const other = c.freshKeys()
    const mine = c.persona({ slug, created_at: now - 30 })
    const theirs = c.persona({ slug, created_at: now - 10, keys: other })
    expectAccepted(await ws.publish(mine), 'the first owner\'s persona')
    await controlHead(ws, c.keys.pubkey, slug, mine, 'the first owner\'s persona')
    expectAccepted(await ws.publish(theirs), 'a newer persona of another owner at the same slug')
    await expectHead(ws, c.keys.pubkey, slug, mine, 'the first owner\'s address')
    await expectHead(ws, other.pubkey, slug, theirs, 'the second owner\'s address')
    // And the other way round: a newer write by the first owner does not touch the second.
    const mineNewer = c.persona({ slug, created_at: now - 5 })
    expectAccepted(await ws.publish(mineNewer), 'a newer version by the first owner')
    await expectHead(ws, other.pubkey, slug, theirs, 'the second owner\'s address after the first owner edited')
  },
)

relayCase(
  {
    id: 'replaceable.kinds-independent',
    title: 'a newer event of another addressable kind with the same author and d value never replaces or hides the persona',
    requirements: ['AP-REPL-7'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const now = c.now()
    const slug = c.slug('kinds')
    const persona = c.persona({ slug, created_at: now - 30 })
    expectAccepted(await ws.publish(persona), 'the persona')
    await controlHead(ws, c.keys.pubkey, slug, persona, 'the persona')
    // Kind 30176 is addressable like 30175: one address key that forgets the kind mixes them.
    for (const kind of [30176, 30023]) {
      const other = c.sign({ kind, created_at: now - 10, tags: [['d', slug]], content: `kind ${kind} at the persona's d value` })
      const reply = await ws.publish(other)
      if (!reply.accepted) {
        c.note(`kind ${kind} refused (${reply.message}): a kind policy, nothing to judge with it`)
        continue
      }
      await expectHead(ws, c.keys.pubkey, slug, persona, `the persona after a newer kind ${kind} event with the same d value`)
      return
    }
    control(false, 'the relay refused every other addressable kind tried (30176, 30023), so the kinds cannot be mixed up here')
  },
)
