import { afterEach, describe, expect, test } from 'vitest'
import { type FakeRelay, type FakeRelayOptions, closedPort, startFakeRelay } from '../test-fixtures/fake-relay.ts'
import { freshKeys } from './identity.ts'
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
    expect(result.findings.filter((f) => f.agrees === false)).toEqual([])
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
    const disagreeing = result.findings.filter((f) => f.agrees === false).map((f) => f.subject)
    expect(disagreeing).toEqual(
      expect.arrayContaining(['NIP-45 COUNT', 'NIP-11 limitation.max_subid_length', 'NIP-11 CORS header']),
    )
    // NIP-11 claims NIP-45: its COUNT case runs (and fails) instead of skipping.
    expect(result.capabilities.count).toMatchObject({ available: true, reason: expect.stringMatching(/^NIP-11 claims NIP-45; the probe saw: COUNT refused with CLOSED/) })
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
      expect(result.unreachableReason, behaviour).toMatch(/^the relay answered neither REQ nor EVENT with a NIP-01 frame \(REQ: (timeout|protocol|disconnected): /)
    }
  })

  test('reachability does not depend on EOSE: a relay that answers EVENT with OK is reachable', async () => {
    const result = await probe({ behaviour: 'honest', noEose: true })
    expect(result.reachable).toBe(true)
    expect(result.capabilities.websocket).toMatchObject({ available: true, reason: expect.stringMatching(/^answers NIP-01 frames, but REQ got no EOSE/) })
  })

  test('a relay that closes the socket on COUNT is reachable, without COUNT', async () => {
    const result = await probe({ behaviour: 'honest', onCount: 'disconnect' })
    expect(result.reachable).toBe(true)
    expect(result.capabilities.count).toEqual({ available: true, reason: 'NIP-11 claims NIP-45; the probe saw: the relay closed the connection on COUNT' })
    expect(result.delivery).toEqual({ eose: 'yes', live: 'yes', count: 'missing' })
    expect(result.auth.event).toBe('not-required')
  })

  test('the subscription id check: a hang-up is a refusal, silence is unknown (neither agrees nor disagrees)', async () => {
    const hangup = await probe({ behaviour: 'honest', onLongSubId: 'disconnect', maxSubIdLength: 10 })
    expect(hangup.reachable).toBe(true)
    expect(hangup.findings.find((f) => f.subject === 'NIP-11 limitation.max_subid_length')).toMatchObject({ agrees: true })
    const silent = await probe({ behaviour: 'honest', onLongSubId: 'ignore', maxSubIdLength: 10 })
    expect(silent.reachable).toBe(true)
    expect(silent.findings.find((f) => f.subject === 'NIP-11 limitation.max_subid_length')).toMatchObject({
      agrees: null,
      observed: expect.stringMatching(/whether it was refused is unknown$/),
    })
  })
})

describe('probe: NIP-42 AUTH', () => {
  test('an open relay: no challenge, nothing required, nip42 not available', async () => {
    const result = await probe({ behaviour: 'honest' })
    expect(result.auth).toMatchObject({ challenge: 'none', event: 'not-required', req: 'not-required', count: 'not-required', accepted: null, bindsKey: null })
    expect(result.capabilities.nip42.available).toBe(false)
  })

  test('a relay that challenges on connect and requires AUTH for EVENT, REQ and COUNT, one key per connection', async () => {
    const result = await probe({ behaviour: 'honest', auth: { require: ['EVENT', 'REQ', 'COUNT'] } })
    expect(result.reachable).toBe(true)
    expect(result.auth).toMatchObject({ challenge: 'on-connect', event: 'required', req: 'required', count: 'required', accepted: true, bindsKey: true, identity: 'harness' })
    expect(result.capabilities.count).toMatchObject({ available: true, reason: 'COUNT answered 0 after AUTH' })
    expect(result.capabilities.websocket.reason).toBe('REQ answered with EOSE')
    expect(result.capabilities.nip42.available).toBe(true)
  })

  test('a relay that challenges only when it refuses, requires AUTH for EVENT alone, and lets an authenticated connection write for any key', async () => {
    const result = await probe({ behaviour: 'honest', auth: { require: ['EVENT'], challenge: 'on-demand', bindKey: false } })
    expect(result.auth).toMatchObject({ challenge: 'on-demand', event: 'required', req: 'not-required', accepted: true, bindsKey: false })
  })

  test('a relay that authenticates without answering AUTH with OK stays usable: AUTH took effect, not answered', async () => {
    const result = await probe({ behaviour: 'honest', auth: { require: ['EVENT', 'REQ'], silentOk: true } })
    expect(result.reachable).toBe(true)
    expect(result.auth).toMatchObject({ accepted: true, answered: false, bindsKey: true })
  })

  test('a relay with an allowlist is unusable without keys (exit 3 with the reason) and usable with --key', async () => {
    const allowed = freshKeys()
    const relay = await startFakeRelay({ behaviour: 'honest', auth: { require: ['EVENT', 'REQ'], allow: [allowed.pubkey] } })
    relays.push(relay)
    const without = await probeTarget(relay, { timeoutMs: 500 })
    expect(without.reachable).toBe(false)
    expect(without.unreachableReason).toMatch(/^the relay requires NIP-42 AUTH and refused it for a key the harness made .*give them with --key or --key-file$/)
    const withKey = await probeTarget(relay, { timeoutMs: 500, authKey: allowed })
    expect(withKey.reachable).toBe(true)
    expect(withKey.auth).toMatchObject({ accepted: true, identity: 'user' })
    expect(JSON.stringify(withKey)).not.toContain(Buffer.from(allowed.secretKey).toString('hex'))
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
