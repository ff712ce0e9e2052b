import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareVersions } from '../../spec/model/head.ts'
import { watch } from '../lib/live.ts'
import { addressFilter, controlHead, describeIds, readHead } from '../lib/reads.ts'

relayCase(
  {
    id: 'replaceable.live-new-head',
    title: 'an open subscription receives each version that becomes the head, after EOSE',
    requirements: ['AP-RELAY-3'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const reader = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const first = c.persona({ slug, created_at: now - 10 })
    const second = c.persona({ slug, created_at: now - 5 })
    // The barrier proves the relay delivers live at all (nip01.eose-then-live owns that).
    const live = await watch(c, reader, [addressFilter(c.keys.pubkey, slug)], 2)
    expectAccepted(await ws.publish(first), 'the first version')
    const afterFirst = await live.settle()
    if (!afterFirst.some((e) => e.id === first.id)) violation(`the first version ${describeIds([first])} was not delivered live; delivered: ${describeIds(afterFirst)}`)
    expectAccepted(await ws.publish(second), 'the newer version')
    const afterSecond = await live.settle()
    if (!afterSecond.some((e) => e.id === second.id)) violation(`the newer version ${describeIds([second])} was not delivered live; delivered: ${describeIds(afterSecond)}`)
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
    await controlHead(ws, c.keys.pubkey, slug, head, 'the head')
    const live = await watch(c, ws, [addressFilter(c.keys.pubkey, slug)])
    await ws.publish(stale)
    await ws.publish(tieLoser)
    const delivered = await live.settle()
    // A version the relay itself made the head (a wrong head) is the replacement cases' to
    // judge; this case judges delivering what the relay does not hold as its head.
    const relayHead = await readHead(ws, c.keys.pubkey, slug)
    const notHead = delivered.filter((e) => e.id !== relayHead?.id)
    if (notHead.length > 0) violation(`versions that are not the head were delivered live: ${describeIds(notHead)} (the relay's head: ${describeIds(relayHead ? [relayHead] : [])})`)
  },
)
