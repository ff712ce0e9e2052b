import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type NostrEvent, verifyEventSignature } from '../../../spec/model/event.ts'
import { WorkerPoolVerifier } from './pool.ts'

const nowSeconds = () => Math.floor(Date.now() / 1000)

function signed(count: number, prefix = 'p'): NostrEvent[] {
  const sk = generateSecretKey()
  return Array.from(
    { length: count },
    (_, i) =>
      finalizeEvent(
        { kind: 30175, created_at: nowSeconds() + i, tags: [['d', `${prefix}-${i}`]], content: `{"n":${i}}` },
        sk,
      ) as NostrEvent,
  )
}

/** `count` plain copies of a few signed events (signing in JS is slow; verifying copies is not). */
function repeated(count: number): NostrEvent[] {
  const few = signed(8)
  return Array.from({ length: count }, (_, i) => plain(few[i % few.length] as NostrEvent))
}

/** A plain copy: nostr-tools caches a verdict on signed objects under a symbol key. */
const plain = (e: NostrEvent): NostrEvent => JSON.parse(JSON.stringify(e)) as NostrEvent

const flip = (hex: string, at = 0) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1)

describe.each(['auto', 'js'] as const)('worker pool verifier (backend %s)', (backend) => {
  let pool: WorkerPoolVerifier
  beforeAll(async () => {
    pool = await WorkerPoolVerifier.start({ size: 2, backend })
  })
  afterAll(async () => {
    await pool.close()
  })

  test('names the backend it runs', () => {
    if (backend === 'js') {
      expect(pool.report.native).toBe(false)
      expect(pool.report.fallbackReason).toMatch(/requested/)
    }
    expect(pool.name).toContain(pool.report.backend)
    expect(pool.name).toContain('2 worker threads')
  })

  test('valid events verify, in a large batch spread over every worker', async () => {
    const events = backend === 'js' ? repeated(40) : repeated(200)
    expect(await pool.verify(events)).toEqual(events.map(() => true))
  })

  test('one bad signature in a batch fails that event only', async () => {
    const events = signed(48).map(plain)
    const bad = 17
    const target = events[bad] as NostrEvent
    events[bad] = { ...target, sig: flip(target.sig, 10) }
    const verdicts = await pool.verify(events)
    expect(verdicts.map((ok, i) => (ok ? -1 : i)).filter((i) => i >= 0)).toEqual([bad])
  })

  test('agrees with spec/model on ids, signatures and keys that are wrong in different ways', async () => {
    const [a, b, c, d, e] = signed(5).map(plain) as [NostrEvent, NostrEvent, NostrEvent, NostrEvent, NostrEvent]
    const other = plain(signed(1, 'other')[0] as NostrEvent)
    const cases: NostrEvent[] = [
      a,
      { ...b, content: 'changed' }, // id no longer the hash of the fields
      { ...c, sig: other.sig }, // a signature by another key
      { ...d, pubkey: other.pubkey }, // id mismatch and wrong key
      { ...e, pubkey: 'f'.repeat(64) }, // not an x coordinate on the curve
    ]
    const expected = cases.map((event) => verifyEventSignature(event))
    expect(expected).toEqual([true, false, false, false, false])
    expect(await pool.verify(cases)).toEqual(expected)
  })
})

describe('worker pool verifier: trusting ids', () => {
  test('with checkIds off only the signature over the claimed id is checked', async () => {
    const pool = await WorkerPoolVerifier.start({ size: 1, checkIds: false })
    try {
      const [event] = signed(1).map(plain) as [NostrEvent]
      expect(await pool.verify([event, { ...event, content: 'changed' }])).toEqual([true, true])
    } finally {
      await pool.close()
    }
  })
})

describe('worker pool verifier: crashes', () => {
  test('a worker that dies mid-batch is replaced and the batch still gets every verdict', async () => {
    const pool = await WorkerPoolVerifier.start({ size: 2 })
    try {
      const events = repeated(400)
      events[123] = { ...(events[123] as NostrEvent), sig: flip((events[123] as NostrEvent).sig, 3) }
      // The crash request goes first: worker 0 dies before it reaches its slice of the batch.
      pool.crashWorker(0)
      const verdicts = await pool.verify(events)
      expect(verdicts.filter((ok) => !ok)).toHaveLength(1)
      expect(verdicts[123]).toBe(false)
      expect(pool.restarts).toBe(1)
      // The replacement works for later batches too.
      const later = repeated(64)
      expect(await pool.verify(later)).toEqual(later.map(() => true))
      pool.crashWorker(1)
      expect(await pool.verify(later)).toEqual(later.map(() => true))
      expect(pool.restarts).toBe(2)
    } finally {
      await pool.close()
    }
  })

  test('a closed pool refuses work and fails what was pending', async () => {
    const pool = await WorkerPoolVerifier.start({ size: 1 })
    const pending = expect(pool.verify(repeated(300))).rejects.toThrow(/closed/)
    await pool.close()
    await pending
    await expect(pool.verify(signed(1))).rejects.toThrow(/closed/)
  })
})
