import { randomUUID } from 'node:crypto'
import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { watch } from '../lib/live.ts'
import { addressFilter, controlHead, controlServedById, describeIds, expectHead, readSettled, readStored } from '../lib/reads.ts'

relayCase(
  {
    id: 'scope.h-tag-accepted',
    title: 'a persona with an h tag naming a channel the owner never joined is accepted without a membership check',
    requirements: ['AP-SCOPE-1', 'AP-ENV-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    // Accepted means kept, and OK true alone cannot show that: the persona must be served
    // afterwards. The control, a persona without an h tag served by id, shows the relay keeps
    // personas at all (a relay that answers OK true and keeps nothing skips here).
    const plain = c.persona()
    expectAccepted(await ws.publish(plain), 'a persona without an h tag')
    await controlServedById(ws, [plain], 'a persona without an h tag')
    const slug = c.slug()
    const channel = c.slug('never-joined')
    const persona = c.persona({ slug, tags: [['d', slug], ['h', channel]] })
    expectAccepted(await ws.publish(persona), 'a persona with an h tag')
    // Read by id, and by id with the channel named: a relay that scopes the persona to its
    // channel (a SHOULD, scope.h-tag-served-globally's to judge) serves it to the second.
    const byId = { ids: [persona.id], kinds: [PersonaKind] }
    const served = await readSettled(
      async () => {
        const global = await readStored(ws, [byId], 'the read of the persona with an h tag by id')
        if (global.some((e) => e.id === persona.id)) return global
        return readStored(ws, [{ ...byId, '#h': [channel] }], 'the read of the persona with an h tag in its channel')
      },
      (events) => events.some((e) => e.id === persona.id),
    )
    if (!served.some((e) => e.id === persona.id)) {
      violation(`the relay answered OK true for a persona with an h tag but does not serve it (${persona.id.slice(0, 12)}), by id nor in its channel, while it serves one without: refused in all but name`)
    }
  },
)

relayCase(
  {
    id: 'scope.h-tag-served-globally',
    title: 'a persona with an h tag is served to global reads as signed, as a persona without one is',
    requirements: ['AP-SCOPE-2'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    // The sibling without an h tag is the control: the relay serves this key's personas.
    const plainSlug = c.slug('plain')
    const plain = c.persona({ slug: plainSlug })
    expectAccepted(await ws.publish(plain), 'a persona without an h tag')
    await controlHead(ws, c.keys.pubkey, plainSlug, plain, 'a persona without an h tag')
    const slug = c.slug()
    const persona = c.persona({ slug, tags: [['d', slug], ['h', c.slug('channel')]] })
    expectAccepted(await ws.publish(persona), 'a persona with an h tag')
    await expectHead(ws, c.keys.pubkey, slug, persona, 'the read of the h-tagged persona by its address')
    const byAuthor = await readSettled(
      () => readStored(ws, [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }], 'the list read'),
      (answer) => answer.some((e) => e.id === persona.id),
    )
    const copy = byAuthor.find((e) => e.id === persona.id)
    if (copy === undefined) violation(`the list read of the owner returned ${describeIds(byAuthor)}, not the h-tagged persona`)
    if (JSON.stringify(copy.tags) !== JSON.stringify(persona.tags)) violation(`the served tags differ from the signed ones: ${JSON.stringify(copy.tags)}`)
  },
)

relayCase(
  {
    id: 'scope.h-tag-delivered-live',
    title: 'a persona with an h tag is delivered to a global live subscription',
    requirements: ['AP-RELAY-3', 'AP-SCOPE-2'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const live = await watch(c, ws, [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    const slug = c.slug()
    const persona = c.persona({ slug, tags: [['d', slug], ['h', c.slug('channel')]] })
    expectAccepted(await ws.publish(persona), 'a persona with an h tag')
    const delivered = await live.settle()
    if (!delivered.some((e) => e.id === persona.id)) violation(`the h-tagged persona was not delivered to a global subscription (delivered: ${describeIds(delivered)})`)
  },
)

relayCase(
  {
    id: 'scope.h-tag-ignored-origin',
    title: 'an origin relay accepts a persona whose h tag names a UUID channel nobody created (no membership check), and serves it to a read of its address',
    requirements: ['AP-SCOPE-1', 'AP-SCOPE-2'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    // A UUID names a channel on the origin relay; this one was never created.
    const persona = c.persona({ slug, tags: [['d', slug], ['h', randomUUID()]] })
    expectAccepted(await ws.publish(persona), 'a persona whose h tag names a channel nobody created')
    const global = await readStored(ws, [addressFilter(c.keys.pubkey, slug)], 'the read of the address')
    c.should(global.some((e) => e.id === persona.id), `the read of the address returned ${describeIds(global)}, not the persona`)
  },
)
