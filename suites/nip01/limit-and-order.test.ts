import { type CaseContext, type RelayConnection, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, compareForQuery } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { controlServedById, describeIds, readStored } from '../lib/reads.ts'

/** Personas of the case's key at `t + offsets[i]`, each at its own slug (not yet published). */
function signPersonas(c: CaseContext, t: number, offsets: number[], tags: string[] = []): NostrEvent[] {
  return offsets.map((dt, i) => {
    const slug = c.slug(`at-${dt}`)
    return c.persona({ slug, created_at: t + dt, tags: [['d', slug], ...(tags[i] ? [['t', tags[i] as string]] : [])] })
  })
}

/** Publishes `personas` in the given order and sees them stored. */
async function publishStored(c: CaseContext, ws: RelayConnection, t: number, personas: NostrEvent[]): Promise<NostrEvent[]> {
  for (const persona of personas) expectAccepted(await ws.publish(persona), `the persona at +${persona.created_at - t}s`)
  await controlServedById(ws, personas, 'the personas of the case')
  return personas
}

async function storedPersonas(c: CaseContext, ws: RelayConnection, offsets: number[], tags: string[] = []): Promise<NostrEvent[]> {
  const t = c.now() - 60
  return publishStored(c, ws, t, signPersonas(c, t, offsets, tags))
}

const byAuthor = (c: CaseContext, extra: Partial<Filter> = {}): Filter => ({ kinds: [PersonaKind], authors: [c.keys.pubkey], ...extra })

relayCase(
  {
    id: 'nip01.limit-keeps-newest',
    title: 'limit n returns at most n stored events and never leaves out a newer one for an older one (fewer is allowed)',
    requirements: ['AP-BASE-12'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const personas = await storedPersonas(c, ws, [0, 10, 20, 30, 40])
    const newestFirst = [...personas].sort(compareForQuery)
    for (const n of [0, 1, 2, 4]) {
      const got = (await readStored(ws, [byAuthor(c, { limit: n })], `REQ with limit ${n}`)).filter((e) => personas.some((p) => p.id === e.id))
      if (got.length > n) violation(`limit ${n} returned ${got.length} events: ${describeIds(got)}`)
      // NIP-01: returning fewer is acceptable, but the ones returned are the newest.
      const oldest = got.reduce<NostrEvent | undefined>((min, e) => (min === undefined || compareForQuery(e, min) > 0 ? e : min), undefined)
      const skipped = oldest === undefined ? [] : newestFirst.filter((e) => compareForQuery(e, oldest) < 0 && !got.some((g) => g.id === e.id))
      if (skipped.length > 0) violation(`limit ${n} returned ${describeIds(got)} but left out the newer ${describeIds(skipped)}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.stored-order',
    title: 'with a limit, stored events come newest first, equal created_at lowest id first, and a limit cutting a tie keeps the lowest ids',
    requirements: ['AP-BASE-13'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 60
    const [oldest, a, b, d, newest] = signPersonas(c, t, [0, 10, 10, 10, 20]) as [NostrEvent, NostrEvent, NostrEvent, NostrEvent, NostrEvent]
    const [low, middle, high] = [a, b, d].sort(compareForQuery) as [NostrEvent, NostrEvent, NostrEvent]
    // The tie arrives middle, lowest, highest: neither arrival order nor its reverse is id
    // order, so a relay that orders ties by arrival is warned on every run.
    const personas = await publishStored(c, ws, t, [oldest, middle, low, high, newest])
    const expected = [...personas].sort(compareForQuery)
    const all = (await readStored(ws, [byAuthor(c, { limit: personas.length })], 'the REQ with limit 5')).filter((e) => personas.some((p) => p.id === e.id))
    const inOrder = expected.filter((e) => all.some((a) => a.id === e.id))
    if (all.map((e) => e.id).join() !== inOrder.map((e) => e.id).join()) {
      violation(`order ${describeIds(all)}, expected newest first with ties lowest id first: ${describeIds(inOrder)}`)
    }
    const cut = await readStored(ws, [byAuthor(c, { limit: 3 })], 'the REQ with limit 3')
    const want = expected.slice(0, 3)
    if (cut.length === 3 && cut.map((e) => e.id).sort().join() !== want.map((e) => e.id).sort().join()) {
      violation(`limit 3 through a tie returned ${describeIds(cut)}, expected the lowest ids ${describeIds(want)}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.filters-or',
    title: 'a REQ with several filters returns the events of each, each filter limited on its own',
    requirements: ['AP-BASE-14'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const [a0, b0, a1, b1] = (await storedPersonas(c, ws, [0, 5, 10, 15], ['alpha', 'beta', 'alpha', 'beta'])) as [NostrEvent, NostrEvent, NostrEvent, NostrEvent]
    const got = await readStored(ws, [byAuthor(c, { '#t': ['alpha'], limit: 1 }), byAuthor(c, { '#t': ['beta'], limit: 1 })], 'the two-filter REQ')
    const want = [a1, b1]
    const missing = want.filter((e) => !got.some((g) => g.id === e.id))
    if (missing.length > 0) violation(`the two-filter REQ returned ${describeIds(got)}, missing the newest of a filter: ${describeIds(missing)}`)
    const extra = got.filter((e) => e.id === a0.id || e.id === b0.id)
    if (extra.length > 0) violation(`each filter has limit 1 but the REQ also returned the older ${describeIds(extra)}`)
  },
)
