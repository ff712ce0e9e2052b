import { type CaseContext, fc, propertyCase, relayCase } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareVersions } from '../../spec/model/head.ts'
import { arrivalOrder } from '../../spec/arbitraries/replacement.ts'
import { controlHead, expectHead } from '../lib/reads.ts'

/** `n` versions of one fresh address with the same created_at, sorted by id (index 0 wins the tie). */
function tiedVersions(c: CaseContext, slug: string, n: number, t: number): NostrEvent[] {
  return Array.from({ length: n }, (_, i) => c.persona({ slug, created_at: t, body: { display_name: `Tie ${i}`, system_prompt: String(i) } })).sort(
    compareVersions,
  )
}

/**
 * Publishes `versions` in `ranks` order (ranks[i] = position in id order of the i-th
 * arrival); the first arrival must be served before the others come, so that a relay that
 * stores nothing skips instead of being warned about ties.
 */
async function publishTie(c: CaseContext, slug: string, versions: NostrEvent[], ranks: readonly number[]): Promise<void> {
  const ws = await c.connect()
  const [first, ...rest] = ranks.map((rank) => versions[rank] as NostrEvent)
  if (first === undefined) throw new Error('publishTie: no versions')
  await ws.publish(first)
  await controlHead(ws, c.keys.pubkey, slug, first, 'the first of the tied versions')
  for (const version of rest) await ws.publish(version) // any OK: a losing write may be refused
  await expectHead(ws, c.keys.pubkey, slug, versions[0] as NostrEvent, `ties at created_at ${first.created_at} arriving in id-rank order ${JSON.stringify(ranks)} (0 = lowest id)`)
}

relayCase(
  {
    id: 'replaceable.tie-break-both-orders',
    title: 'with equal created_at the lowest id is the head whichever arrives first: lower first, higher first, and middle-lowest-highest',
    requirements: ['AP-REPL-6'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const t = c.now() - 30
    // Middle, lowest, highest: a relay that keeps the first arrival keeps the middle one, a
    // relay that keeps the last keeps the highest, so both are caught on every run.
    for (const ranks of [[0, 1], [1, 0], [1, 0, 2]]) {
      const slug = c.slug(`tie-${ranks.join('')}`)
      await publishTie(c, slug, tiedVersions(c, slug, ranks.length, t), ranks)
    }
  },
)

propertyCase(
  {
    id: 'replaceable.tie-break-any-order',
    title: 'of 2 to 4 versions with equal created_at, the lowest id is the head whatever the arrival order',
    requirements: ['AP-REPL-6'],
    level: 'SHOULD',
    profile: 'core',
  },
  [arrivalOrder(2, 4)],
  async (c, ranks) => {
    const slug = c.slug('tie')
    await publishTie(c, slug, tiedVersions(c, slug, ranks.length, c.now() - 30), ranks)
    c.note(`arrival order ${fc.stringify(ranks)}`)
  },
  { numRuns: 10, examples: [[[1, 0, 2]], [[2, 0, 1, 3]]] },
)
