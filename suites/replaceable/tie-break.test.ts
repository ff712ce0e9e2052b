import { expectAccepted, fc, propertyCase, relayCase } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareVersions, selectHead } from '../../spec/model/head.ts'
import { arrivalOrder } from '../../spec/arbitraries/replacement.ts'
import { expectHead } from '../lib/reads.ts'

relayCase(
  {
    id: 'replaceable.tie-break-both-orders',
    title: 'with equal created_at the lowest id is the head, whether it arrives first or second',
    requirements: ['AP-REPL-2', 'AP-REPL-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 30
    for (const lowFirst of [true, false]) {
      const slug = c.slug(lowFirst ? 'low-first' : 'high-first')
      const [low, high] = [
        c.persona({ slug, created_at: t, body: { display_name: 'One', system_prompt: '1' } }),
        c.persona({ slug, created_at: t, body: { display_name: 'Two', system_prompt: '2' } }),
      ].sort(compareVersions) as [NostrEvent, NostrEvent]
      const order = lowFirst ? [low, high] : [high, low]
      expectAccepted(await ws.publish(order[0] as NostrEvent), 'the first version')
      await ws.publish(order[1] as NostrEvent)
      await expectHead(ws, c.keys.pubkey, slug, low, `tie at created_at ${t}, ${lowFirst ? 'lower id first' : 'higher id first'}`)
    }
  },
)

propertyCase(
  {
    id: 'replaceable.tie-break-any-order',
    title: 'of 2 to 4 versions with equal created_at, the lowest id is the head whatever the arrival order',
    requirements: ['AP-REPL-2'],
    level: 'MUST',
    profile: 'core',
  },
  [arrivalOrder(2, 4)],
  async (c, ranks) => {
    const ws = await c.connect()
    const slug = c.slug('tie')
    const t = c.now() - 30
    // ranks[i] = position in id order of the i-th version to arrive (0 = lowest id).
    const byId = ranks
      .map((_, i) => c.persona({ slug, created_at: t, body: { display_name: `Tie ${i}`, system_prompt: String(i) } }))
      .sort(compareVersions)
    for (const rank of ranks) await ws.publish(byId[rank] as NostrEvent)
    await expectHead(ws, c.keys.pubkey, slug, byId[0] as NostrEvent, `ties arriving in id-rank order ${fc.stringify(ranks)}`)
  },
  { numRuns: 10 },
)
