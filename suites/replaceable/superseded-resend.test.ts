import { expectAccepted, relayCase } from '../../harness/src/authoring.ts'
import { watch } from '../lib/live.ts'
import { addressFilter, controlHead, describeIds, expectHead, readIds, readSettled } from '../lib/reads.ts'

relayCase(
  {
    id: 'replaceable.superseded-resend',
    title: 'a superseded version sent again stays superseded: never the head, not served again by id, not delivered live',
    requirements: ['AP-REPL-3', 'AP-RELAY-9', 'AP-RELAY-8', 'AP-BASE-15'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const older = c.persona({ slug, created_at: now - 10 })
    const newer = c.persona({ slug, created_at: now - 5 })
    expectAccepted(await ws.publish(older), 'the first version')
    expectAccepted(await ws.publish(newer), 'the newer version')
    await controlHead(ws, c.keys.pubkey, slug, newer, 'the newer version')
    // A relay may keep the old version (NIP-01); whether it still serves it by id is noted now.
    const servedBefore = (await readSettled(() => readIds(ws, [older.id]), (answer) => answer.length === 0)).length > 0
    const live = await watch(c, ws, [addressFilter(c.keys.pubkey, slug)])
    await ws.publish(older) // any OK: a stale re-send may be acknowledged or refused
    const delivered = await live.settle()
    // NIP-01: the latest version MUST stay stored as the head.
    await expectHead(ws, c.keys.pubkey, slug, newer, 'the read after the superseded version was sent again')
    c.should(!delivered.some((e) => e.id === older.id), `the superseded version ${describeIds([older])} was delivered live when it was sent again`)
    if (!servedBefore) {
      // Settled towards the version coming back, so that a read cache cannot hide it.
      const servedAfter = await readSettled(() => readIds(ws, [older.id]), (answer) => answer.length > 0)
      c.should(servedAfter.length === 0, `the superseded version ${describeIds([older])}, no longer served by id, is served again after it was sent again`)
    }
  },
)
