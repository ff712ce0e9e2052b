import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareVersions } from '../../spec/model/head.ts'
import { watch } from '../lib/live.ts'
import { addressFilter, describeIds } from '../lib/reads.ts'

relayCase(
  {
    id: 'replaceable.live-new-head',
    title: 'an open subscription receives each version that becomes the head, after EOSE',
    requirements: ['AP-RELAY-3', 'AP-BASE-6'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const reader = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const first = c.persona({ slug, created_at: now - 10 })
    const second = c.persona({ slug, created_at: now - 5 })
    const sub = reader.subscribe([addressFilter(c.keys.pubkey, slug)])
    await sub.stored()
    expectAccepted(await ws.publish(first), 'the first version')
    await sub.waitForEvent((e) => e.id === first.id, 'the first version delivered live')
    expectAccepted(await ws.publish(second), 'the newer version')
    await sub.waitForEvent((e) => e.id === second.id, 'the newer version delivered live')
  },
)

relayCase(
  {
    id: 'replaceable.live-no-superseded',
    title: 'a live subscription does not receive stale or tie-losing versions',
    requirements: ['AP-RELAY-8'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const t = c.now() - 20
    const stale = c.persona({ slug, created_at: t - 5 })
    const [head, tieLoser] = [c.persona({ slug, created_at: t }), c.persona({ slug, created_at: t })].sort(compareVersions) as [
      NostrEvent,
      NostrEvent,
    ]
    expectAccepted(await ws.publish(head), 'the head')
    const live = await watch(c, ws, [addressFilter(c.keys.pubkey, slug)])
    await ws.publish(stale)
    await ws.publish(tieLoser)
    const delivered = await live.settle()
    if (delivered.length > 0) violation(`versions that are not the head were delivered live: ${describeIds(delivered)}`)
  },
)
