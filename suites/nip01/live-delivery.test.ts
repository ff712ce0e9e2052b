import {
  type CaseContext,
  type RelayConnection,
  type Subscription,
  control,
  controlAccepted,
  expectAccepted,
  fc,
  isHarnessError,
  propertyCase,
  relayCase,
  violation,
} from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilters } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type LiveScenario, liveScenario } from '../../spec/arbitraries/negative-space.ts'
import { GraceMs, barrierEvents, storedOrSkip } from '../lib/live.ts'
import { describeIds } from '../lib/reads.ts'

const personaFilter = (authors: string[], extra: Partial<Filter> = {}): Filter => ({ kinds: [PersonaKind], authors, ...extra })

/** Opens `filters` (plus the barrier's, last) as one subscription and waits for its EOSE. */
async function open(ws: RelayConnection, filters: Filter[], barrier: NostrEvent, subId?: string): Promise<Subscription> {
  const sub = ws.subscribe([...filters, { kinds: [PersonaKind], ids: [barrier.id] }], subId)
  const reply = await storedOrSkip(sub, ws.timeoutMs)
  control(reply.eose, `the relay refused the subscription ${JSON.stringify(filters)} with CLOSED ${JSON.stringify(reply.closed ?? '')}`)
  return sub
}

/** Publishes the barrier and waits for it on every subscription (a failed control if it does not come). */
async function settleAll(c: CaseContext, ws: RelayConnection, barrier: NostrEvent, subs: Subscription[]): Promise<void> {
  controlAccepted(await ws.publish(barrier), 'the barrier persona')
  for (const sub of subs) {
    try {
      await sub.waitForEvent((e) => e.id === barrier.id, 'the barrier persona')
    } catch (error) {
      if (isHarnessError(error) && error.kind === 'timeout') control(false, `the barrier persona was not delivered live on ${sub.id} within ${c.timeoutMs} ms`)
      throw error
    }
  }
  await ws.collectFor(GraceMs)
}

relayCase(
  {
    id: 'nip01.limit-only-initial',
    title: 'a filter\'s limit (0 or 1) bounds only the stored answer: events after EOSE are all delivered',
    requirements: ['AP-BASE-25'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const [barrier] = barrierEvents(c, 1) as [NostrEvent]
    const mine = [c.keys.pubkey]
    // The witness has no limit: it shows the relay delivers these events live at all.
    const witness = await open(ws, [personaFilter(mine)], barrier)
    const limited = [await open(ws, [personaFilter(mine, { limit: 0 })], barrier), await open(ws, [personaFilter(mine, { limit: 1 })], barrier)]
    const personas = [c.persona(), c.persona(), c.persona()]
    for (const persona of personas) expectAccepted(await ws.publish(persona), 'a new persona')
    // The barrier is awaited on the witness only: a relay that keeps counting limit after EOSE
    // withholds it from the limited subscriptions too, and that is the behaviour judged here.
    await settleAll(c, ws, barrier, [witness])
    const seen = (sub: Subscription) => personas.filter((p) => sub.events.some((e) => e.id === p.id))
    control(seen(witness).length === personas.length, `the subscription without limit got ${describeIds(seen(witness))} of ${describeIds(personas)}, so live delivery cannot be judged`)
    for (const [sub, limit] of [[limited[0], 0], [limited[1], 1]] as const) {
      const got = seen(sub as Subscription)
      if (got.length < personas.length) violation(`a subscription with limit ${limit} got ${got.length} of the ${personas.length} personas published after EOSE (${describeIds(got)}); limit applies to the stored answer only`)
    }
  },
)

relayCase(
  {
    id: 'nip01.req-reuse-replaces',
    title: 'a REQ reusing an open subscription id replaces it: only the new filters are served on that id',
    requirements: ['AP-BASE-22'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const first = c.freshKeys()
    const second = c.freshKeys()
    const [barrier] = barrierEvents(c, 1) as [NostrEvent]
    const subId = `reuse-${c.slug()}`.slice(0, 32)
    await open(ws, [personaFilter([first.pubkey])], barrier, subId)
    const sub = await open(ws, [personaFilter([second.pubkey])], barrier, subId)
    const old = c.persona({ keys: first })
    const now = c.persona({ keys: second })
    expectAccepted(await ws.publish(old), 'a persona matching only the replaced filters')
    expectAccepted(await ws.publish(now), 'a persona matching the new filters')
    await settleAll(c, ws, barrier, [sub])
    control(sub.events.some((e) => e.id === now.id), 'the persona matching the new filters was not delivered, so the replaced ones cannot be judged')
    if (sub.events.some((e) => e.id === old.id)) violation(`the subscription ${subId} still delivers events of its replaced filters (${describeIds([old])})`)
    const copies = sub.events.filter((e) => e.id === barrier.id).length
    if (copies > 1) violation(`the barrier was delivered ${copies} times on ${subId}: the first REQ was kept beside the second`)
  },
)

relayCase(
  {
    id: 'nip01.subid-per-connection',
    title: 'the same subscription id on two connections names two independent subscriptions',
    requirements: ['AP-BASE-26'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws1 = await c.connect()
    const ws2 = await c.connect()
    const a = c.freshKeys()
    const b = c.freshKeys()
    const subId = `same-${c.slug()}`.slice(0, 32)
    const sub1 = ws1.subscribe([personaFilter([a.pubkey])], subId)
    control((await storedOrSkip(sub1, c.timeoutMs)).eose, 'the relay refused the first subscription')
    const sub2 = ws2.subscribe([personaFilter([b.pubkey])], subId)
    control((await storedOrSkip(sub2, c.timeoutMs)).eose, 'the relay refused the second subscription')
    const forA = c.persona({ keys: a })
    const forB = c.persona({ keys: b })
    expectAccepted(await ws1.publish(forA), 'a persona for the first connection\'s subscription')
    expectAccepted(await ws1.publish(forB), 'a persona for the second connection\'s subscription')
    // The second connection's delivery is the control: live delivery works on this relay.
    try {
      await sub2.waitForEvent((e) => e.id === forB.id, 'the persona on the second connection')
    } catch (error) {
      if (isHarnessError(error) && error.kind === 'timeout') control(false, 'the second connection did not get its persona live, so live delivery cannot be judged')
      throw error
    }
    try {
      await sub1.waitForEvent((e) => e.id === forA.id, 'the persona on the first connection')
    } catch (error) {
      if (isHarnessError(error) && error.kind === 'timeout') {
        violation(`the first connection's subscription ${subId} no longer delivers (the second connection got its persona): a REQ with the same id on another connection took it over`)
      }
      throw error
    }
    const crossed = [...sub1.events.filter((e) => e.id === forB.id), ...sub2.events.filter((e) => e.id === forA.id)]
    if (crossed.length > 0) violation(`events crossed between the two connections' subscriptions ${subId}: ${describeIds(crossed)}`)
  },
)

/** The concrete filters of one subscription of the scenario. */
function filtersOf(specs: LiveScenario['subscriptions'][number], pubkeys: string[]): Filter[] {
  return specs.map((spec) => {
    const filter: Filter = personaFilter(spec.authors ? spec.authors.map((i) => pubkeys[i] as string) : pubkeys)
    if (spec.colours) filter['#t'] = spec.colours
    return filter
  })
}

propertyCase(
  {
    id: 'nip01.live-delivery-model',
    title: 'each accepted event is delivered live exactly once to every subscription it matches, and to no other; re-sends, stale versions, refused and forged events are not delivered',
    requirements: ['AP-BASE-9', 'AP-BASE-10', 'AP-BASE-24', 'AP-BASE-4', 'AP-BASE-15', 'AP-RELAY-3', 'AP-RELAY-8'],
    level: 'MUST',
    profile: 'core',
  },
  [liveScenario],
  async (c, scenario) => {
    const ws = await c.connect()
    const keys = [c.keys, c.freshKeys()]
    const pubkeys = keys.map((k) => k.pubkey)
    const [barrier] = barrierEvents(c, 1) as [NostrEvent]
    const subs: Array<{ sub: Subscription; filters: Filter[] }> = []
    for (const specs of scenario.subscriptions) {
      const filters = filtersOf(specs, pubkeys)
      subs.push({ sub: await open(ws, filters, barrier), filters })
    }
    const news: NostrEvent[] = []
    const refused = new Set<string>()
    const notNew = new Set<string>()
    const t = c.now() - 20
    for (const step of scenario.steps) {
      if (step.op === 'new') {
        const slug = c.slug('live')
        const persona = c.persona({ slug, created_at: t + news.length, keys: keys[step.author], tags: [['d', slug], ['t', step.colour]] })
        expectAccepted(await ws.publish(persona), 'a new persona')
        news.push(persona)
      } else if (step.op === 'resend') {
        await ws.publish(news[step.index % news.length] as NostrEvent) // any OK: it is the same event
      } else if (step.op === 'stale') {
        const head = news[step.index % news.length] as NostrEvent
        const stale = c.persona({ slug: head.tags[0]?.[1], created_at: head.created_at - 5, keys: keys[keys.findIndex((k) => k.pubkey === head.pubkey)], tags: head.tags })
        const reply = await ws.publish(stale)
        ;(reply.accepted ? notNew : refused).add(stale.id)
      } else {
        const slug = step.op === 'invalid' ? 'Not A Slug' : c.slug('forged')
        const signed = c.persona({ keys: keys[step.author], tags: [['d', slug], ['t', step.colour]] })
        const event = step.op === 'forged' ? { ...signed, content: `${signed.content} (changed after signing)` } : signed
        const reply = await ws.publish(event)
        if (!reply.accepted) refused.add(event.id)
      }
    }
    await settleAll(c, ws, barrier, subs.map((s) => s.sub))
    const what = `scenario ${fc.stringify(scenario)}`
    for (const { sub, filters } of subs) {
      const delivered = sub.events.filter((e) => e.id !== barrier.id)
      const unmatched = delivered.filter((e) => !matchFilters(filters, e))
      if (unmatched.length > 0) violation(`${what}: ${sub.id} ${JSON.stringify(filters)} got events matching none of its filters: ${describeIds(unmatched)}`)
      const refusedDelivered = delivered.filter((e) => refused.has(e.id))
      if (refusedDelivered.length > 0) violation(`${what}: ${sub.id} got events the relay answered OK false: ${describeIds(refusedDelivered)}`)
      for (const persona of news.filter((p) => matchFilters(filters, p))) {
        const copies = delivered.filter((e) => e.id === persona.id).length
        c.should(copies > 0, `${sub.id} ${JSON.stringify(filters)} never got the matching ${describeIds([persona])} live`)
        c.should(copies <= 1, `${sub.id} got ${describeIds([persona])} ${copies} times (re-sends included)`)
      }
      const stale = delivered.filter((e) => notNew.has(e.id))
      c.should(stale.length === 0, `${sub.id} got stale versions live: ${describeIds(stale)}`)
    }
  },
  { numRuns: 8 },
)
