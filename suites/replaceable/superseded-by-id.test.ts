import { type CaseContext, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { controlHead, controlServedById, describeIds, readIds, readSettled } from '../lib/reads.ts'

/**
 * Publishes a version, sees it served by id, replaces it, sees the replacement served as
 * head; returns what a read by id of the superseded version still gives once settled.
 */
async function supersededServedById(c: CaseContext): Promise<string | null> {
  const ws = await c.connect()
  const slug = c.slug()
  const now = c.now()
  const older = c.persona({ slug, created_at: now - 10 })
  const newer = c.persona({ slug, created_at: now - 5 })
  expectAccepted(await ws.publish(older), 'the first version')
  await controlServedById(ws, [older], 'the first version')
  expectAccepted(await ws.publish(newer), 'the newer version')
  await controlHead(ws, c.keys.pubkey, slug, newer, 'the newer version')
  const served = await readSettled(
    () => readIds(ws, [older.id]),
    (answer) => answer.length === 0,
  )
  return served.length > 0 ? `a read by id of the superseded version returned ${describeIds(served)}` : null
}

relayCase(
  {
    id: 'replaceable.superseded-not-by-id',
    title: 'a superseded version is not returned, even to a filter naming its id',
    requirements: ['AP-RELAY-9'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const problem = await supersededServedById(c)
    if (problem !== null) violation(problem)
  },
)

relayCase(
  {
    id: 'replaceable.superseded-not-by-id-origin',
    title: 'an origin relay never returns a superseded version, even to a filter naming its id',
    requirements: ['AP-RELAY-10'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const problem = await supersededServedById(c)
    if (problem !== null) violation(problem)
  },
)
