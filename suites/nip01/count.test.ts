import { type CaseContext, type RelayConnection, control, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { controlHead, readSettled, readStored } from '../lib/reads.ts'

/**
 * COUNT of `filters` against the REQ of the same filters: equal unless the relay marks the
 * count approximate (NIP-45 allows probabilistic counts). Filters carry no `limit`: NIP-45
 * does not say what it does to a count (AMB-30). A refused COUNT (CLOSED) is lawful.
 */
export async function expectCountAgrees(c: CaseContext, ws: RelayConnection, filters: Filter[], what: string): Promise<void> {
  const answer = await readSettled(
    async () => ({ returned: await readStored(ws, filters, `the REQ matching the COUNT of ${what}`), reply: await ws.count(filters) }),
    ({ reply, returned }) => reply.ok && reply.count === returned.length,
  )
  const { reply } = answer
  if (!reply.ok) return control(false, `the relay refused the COUNT of ${what} with CLOSED ${JSON.stringify(reply.closed)}`)
  const approximate = (reply.frame[2] as { approximate?: unknown } | undefined)?.approximate === true
  if (approximate) return c.note(`the COUNT of ${what} is marked approximate (${reply.count}); not compared`)
  if (reply.count !== answer.returned.length) {
    violation(`COUNT of ${what} answered ${reply.count}, the same REQ returns ${answer.returned.length} events`)
  }
}

relayCase(
  {
    id: 'nip01.count',
    title: 'COUNT answers the number of distinct events the same REQ returns, across overlapping filters and after a replacement',
    requirements: ['AP-BASE-19'],
    level: 'SHOULD',
    profile: 'core',
    needs: ['count'],
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 30
    const slugs = [c.slug('a'), c.slug('b'), c.slug('c')]
    for (const [i, slug] of slugs.entries()) expectAccepted(await ws.publish(c.persona({ slug, created_at: t + i })), `persona ${i}`)
    const replacement = c.persona({ slug: slugs[0], created_at: t + 10 })
    expectAccepted(await ws.publish(replacement), 'a newer version of persona 0')
    await controlHead(ws, c.keys.pubkey, slugs[0] as string, replacement, 'the newer version of persona 0')
    const mine = { kinds: [PersonaKind], authors: [c.keys.pubkey] }
    await expectCountAgrees(c, ws, [mine], 'the personas of the author')
    await expectCountAgrees(c, ws, [mine, { ...mine, '#d': [slugs[1] as string] }], 'two overlapping filters')
    await expectCountAgrees(c, ws, [{ ...mine, '#d': [slugs[0] as string] }], 'the replaced address')
  },
)
