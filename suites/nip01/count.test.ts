import { type CaseContext, type RelayConnection, control, expectAccepted, isHarnessError, relayCase, violation } from '../../harness/src/authoring.ts'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { controlDeletionHonoured } from '../lib/deletion.ts'
import { controlHead, expectNoVersion, readSettled, readStored } from '../lib/reads.ts'

/**
 * COUNT of `filters` against the REQ of the same filters: equal unless the relay marks the
 * count approximate (NIP-45 allows probabilistic counts). Filters carry no `limit`: NIP-45
 * does not say what it does to a count (AMB-30). A refused COUNT (CLOSED) is lawful.
 */
async function expectCountAgrees(c: CaseContext, ws: RelayConnection, filters: Filter[], what: string): Promise<void> {
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

relayCase(
  {
    id: 'nip01.count-after-deletion',
    title: 'after an a deletion, COUNT of the address agrees with the REQ (no deleted version counted)',
    requirements: ['AP-BASE-19'],
    level: 'SHOULD',
    profile: 'core',
    needs: ['count'],
  },
  async (c) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const slug = c.slug()
    const t = c.now() - 30
    const versions = [c.persona({ slug, created_at: t }), c.persona({ slug, created_at: t + 5 })]
    for (const version of versions) expectAccepted(await ws.publish(version), 'a version')
    await controlHead(ws, c.keys.pubkey, slug, versions[1] as NostrEvent, 'the head')
    expectAccepted(await ws.publish(c.sign({ kind: DeletionKind, created_at: t + 10, tags: personaDeletionTags(c.keys.pubkey, slug) })), 'the owner\'s a deletion')
    await expectNoVersion(ws, c.keys.pubkey, slug, 'the read after the deletion')
    await expectCountAgrees(c, ws, [{ kinds: [PersonaKind], authors: [c.keys.pubkey], '#d': [slug] }], 'the deleted address')
  },
)

relayCase(
  {
    id: 'nip01.count-answered',
    title: 'a relay that lists NIP-45 answers every COUNT with COUNT or CLOSED, never by silence or a hang-up',
    requirements: ['AP-BASE-27'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    c.requireNip(45)
    const ws = await c.connect()
    const questions = [
      [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }],
      [{ kinds: [PersonaKind], authors: [c.keys.pubkey], '#d': [c.slug()] }, { kinds: [PersonaKind], ids: ['0'.repeat(64)] }],
    ]
    for (const filters of questions) {
      try {
        await ws.count(filters)
      } catch (error) {
        if (isHarnessError(error) && (error.kind === 'timeout' || error.kind === 'disconnected')) {
          violation(`COUNT ${JSON.stringify(filters)} got neither COUNT nor CLOSED: ${error.message}`)
        }
        throw error
      }
    }
  },
)
