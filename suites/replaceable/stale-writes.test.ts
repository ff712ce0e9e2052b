import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareVersions } from '../../spec/model/head.ts'
import { OriginDuplicateMessage } from '../../spec/model/reasons.ts'
import type { CaseContext } from '../../harness/src/authoring.ts'
import { watch } from '../lib/live.ts'
import { addressFilter, controlHead, describeIds, expectHead, readIds } from '../lib/reads.ts'

/** A head, a stale version (older) and a tie-loser (same created_at, higher id) of one fresh address. */
function headAndLosers(c: CaseContext): { slug: string; head: NostrEvent; stale: NostrEvent; tieLoser: NostrEvent } {
  const slug = c.slug()
  const t = c.now() - 20
  const stale = c.persona({ slug, created_at: t - 5, body: { display_name: 'Stale', system_prompt: 'old' } })
  // Two versions at the head's created_at: the lower id is the head, the other loses the tie.
  const [head, tieLoser] = [
    c.persona({ slug, created_at: t, body: { display_name: 'Tie A', system_prompt: 'a' } }),
    c.persona({ slug, created_at: t, body: { display_name: 'Tie B', system_prompt: 'b' } }),
  ].sort(compareVersions) as [NostrEvent, NostrEvent]
  return { slug, head, stale, tieLoser }
}

relayCase(
  {
    id: 'replaceable.stale-write-never-head',
    title: 'a stale write gets an OK but never becomes the head',
    requirements: ['AP-REPL-3', 'AP-REPL-2', 'AP-BASE-1'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const { slug, head, stale } = headAndLosers(c)
    expectAccepted(await ws.publish(head), 'the head')
    await controlHead(ws, c.keys.pubkey, slug, head, 'the head')
    await ws.publish(stale) // any OK will do (true, or false with a prefix); the driver errors if none arrives
    await expectHead(ws, c.keys.pubkey, slug, head, 'after a stale write')
  },
)

relayCase(
  {
    id: 'replaceable.stale-write-origin',
    title: 'an origin relay answers stale and tie-losing writes and re-sends exactly OK true "duplicate:", and neither stores nor delivers them',
    requirements: ['AP-RELAY-7'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const { slug, head, stale, tieLoser } = headAndLosers(c)
    expectAccepted(await ws.publish(head), 'the head')
    const live = await watch(c, ws, [addressFilter(c.keys.pubkey, slug)])
    for (const [what, event] of [['a stale write', stale], ['a tie-losing write', tieLoser], ['the head sent again', head]] as const) {
      const reply = await ws.publish(event)
      if (!reply.accepted || reply.message !== OriginDuplicateMessage) {
        violation(`${what}: expected OK true ${JSON.stringify(OriginDuplicateMessage)} (nothing after the colon), got OK ${reply.accepted} ${JSON.stringify(reply.message)}`)
      }
    }
    const delivered = await live.settle()
    if (delivered.length > 0) violation(`losing writes were delivered to a live subscription: ${describeIds(delivered)}`)
    const stored = await readIds(ws, [stale.id, tieLoser.id])
    if (stored.length > 0) violation(`losing writes were stored: a read by id returned ${describeIds(stored)}`)
  },
)
