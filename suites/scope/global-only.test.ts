import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { watch } from '../lib/live.ts'
import { addressFilter, describeIds, readAddress, readStored } from '../lib/reads.ts'

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
    const slug = c.slug()
    const persona = c.persona({ slug, tags: [['d', slug], ['h', c.slug('never-joined')]] })
    expectAccepted(await ws.publish(persona), 'a persona with an h tag')
  },
)

relayCase(
  {
    id: 'scope.h-tag-served-globally',
    title: 'a persona with an h tag is served to global reads and live subscriptions as signed, as if it had none',
    requirements: ['AP-SCOPE-2', 'AP-RELAY-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const reader = await c.connect()
    const slug = c.slug()
    const channel = c.slug('channel')
    const sub = reader.subscribe([{ kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    await sub.stored()
    const persona = c.persona({ slug, tags: [['d', slug], ['h', channel]] })
    expectAccepted(await ws.publish(persona), 'a persona with an h tag')
    await sub.waitForEvent((e) => e.id === persona.id, 'the persona delivered to a global subscription')
    const byAddress = await readAddress(ws, c.keys.pubkey, slug)
    if (!byAddress.some((e) => e.id === persona.id)) violation(`the read of the address returned ${describeIds(byAddress)}, not the persona`)
    const byAuthor = await readStored(ws, [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }], 'the list read')
    const copy = byAuthor.find((e) => e.id === persona.id)
    if (copy === undefined) violation(`the list read of the owner returned ${describeIds(byAuthor)}, not the persona`)
    if (JSON.stringify(copy.tags) !== JSON.stringify(persona.tags)) violation(`the served tags differ from the signed ones: ${JSON.stringify(copy.tags)}`)
  },
)

relayCase(
  {
    id: 'scope.h-tag-not-channel-read',
    title: 'an origin relay neither returns nor delivers a persona to a channel-scoped (#h) read',
    requirements: ['AP-SCOPE-3'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const channel = c.slug('channel')
    const scoped = { kinds: [PersonaKind], authors: [c.keys.pubkey], '#h': [channel] }
    const live = await watch(c, ws, [scoped, { '#h': [channel] }])
    const persona = c.persona({ slug, tags: [['d', slug], ['h', channel]] })
    expectAccepted(await ws.publish(persona), 'a persona with an h tag')
    const delivered = await live.settle()
    if (delivered.length > 0) violation(`the persona was delivered to a #h subscription: ${describeIds(delivered)}`)
    const stored = await readStored(ws, [scoped, { '#h': [channel] }], 'the #h read')
    if (stored.length > 0) violation(`a #h read returned the persona: ${describeIds(stored)}`)
    // Still there for global reads: the exclusion is about scope, not about storage.
    const global = await readStored(ws, [addressFilter(c.keys.pubkey, slug)], 'the global read')
    if (!global.some((e) => e.id === persona.id)) violation('the persona is missing from the global read too')
  },
)
