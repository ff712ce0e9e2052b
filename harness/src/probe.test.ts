import { afterEach, describe, expect, test } from 'vitest'
import { type FakeRelay, type FakeRelayOptions, closedPort, startFakeRelay } from '../test-fixtures/fake-relay.ts'
import { clockWindowOf, probeTarget } from './probe.ts'

const relays: FakeRelay[] = []
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()))
})

async function probe(options: FakeRelayOptions, skewSeconds?: number) {
  const relay = await startFakeRelay(options)
  relays.push(relay)
  return probeTarget(relay, { timeoutMs: 500, ...(skewSeconds !== undefined ? { skewSeconds } : {}) })
}

describe('probe', () => {
  test('an honest relay: reachable, COUNT, window from NIP-11, claims agree', async () => {
    const result = await probe({ behaviour: 'honest' })
    expect(result.reachable).toBe(true)
    expect(result.capabilities.count.available).toBe(true)
    expect(result.capabilities['http-bridge'].available).toBe(false)
    expect(result.clock.window).toMatchObject({ lower: 900, upper: 900, source: 'nip11' })
    expect(result.findings.filter((f) => !f.agrees)).toEqual([])
    expect(result.transcript.length).toBeGreaterThan(0)
  })

  test('a relay that lies in its NIP-11 is caught: COUNT claimed but refused, subid limit claimed but not enforced, no CORS', async () => {
    const result = await probe({
      behaviour: 'honest',
      count: false,
      enforceSubIdLimit: false,
      cors: false,
      nip11: { supported_nips: [1, 11, 45, 98], limitation: { max_subid_length: 10 } },
    })
    const disagreeing = result.findings.filter((f) => !f.agrees).map((f) => f.subject)
    expect(disagreeing).toEqual(
      expect.arrayContaining(['NIP-45 COUNT', 'NIP-11 limitation.max_subid_length', 'NIP-11 CORS header']),
    )
    expect(result.capabilities.count).toMatchObject({ available: false })
    expect(result.capabilities['clock-window'].available).toBe(false)
  })

  test('an HTTP bridge with NIP-98 auth is detected, and a bridge without auth is told apart', async () => {
    const withAuth = await probe({ behaviour: 'honest', bridge: true })
    expect(withAuth.http).toMatchObject({ bridge: true, auth: 'nip98' })
    expect(withAuth.capabilities['http-auth'].available).toBe(true)
    const open = await probe({ behaviour: 'honest', bridge: true, bridgeAuth: false })
    expect(open.http).toMatchObject({ bridge: true, auth: 'none' })
    expect(open.capabilities['http-auth'].available).toBe(false)
  })

  test('the clock offset is estimated from the Date header', async () => {
    const result = await probe({ behaviour: 'honest', clockOffsetSeconds: 120 })
    expect(result.clock.method).toBe('http-date')
    expect(Math.abs(result.clock.offsetSeconds - 120)).toBeLessThanOrEqual(result.clock.uncertaintySeconds + 0.5)
  })

  test('--skew overrides the NIP-11 window', async () => {
    const result = await probe({ behaviour: 'honest' }, 30)
    expect(result.clock.window).toMatchObject({ lower: 30, upper: 30, source: 'option' })
  })

  test('silent, garbage and hang-up relays are unreachable, not hangs', async () => {
    for (const behaviour of ['silent', 'garbage', 'disconnect'] as const) {
      const result = await probe({ behaviour })
      expect(result.reachable, behaviour).toBe(false)
      expect(result.unreachableReason, behaviour).toMatch(/^(timeout|protocol|disconnected): /)
    }
  })

  test('nothing listening: unreachable with the reason, NIP-11 not served', async () => {
    const port = await closedPort()
    const result = await probeTarget({ url: `ws://127.0.0.1:${port}`, httpUrl: `http://127.0.0.1:${port}` }, { timeoutMs: 500 })
    expect(result.reachable).toBe(false)
    expect(result.unreachableReason).toMatch(/^unreachable: /)
    expect(result.nip11.served).toBe(false)
  })
})

describe('clockWindowOf', () => {
  const now = 1_700_000_000
  test('small values are relative seconds', () => {
    expect(clockWindowOf({ created_at_lower_limit: 600, created_at_upper_limit: 300 }, undefined, now)).toMatchObject({
      lower: 600,
      upper: 300,
      source: 'nip11',
    })
  })
  test('timestamps are read as absolute bounds around now', () => {
    expect(clockWindowOf({ created_at_lower_limit: now - 100, created_at_upper_limit: now + 50 }, undefined, now)).toMatchObject({
      lower: 100,
      upper: 50,
    })
  })
  test('missing limits and no option: unknown', () => {
    expect(clockWindowOf({}, undefined, now)).toBeUndefined()
  })
})
