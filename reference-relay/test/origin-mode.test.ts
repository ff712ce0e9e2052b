/** The relay's origin mode on the wire: NIP-42 required, one key per connection, NIP-11 says so. */

import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Nip01Connection } from '../../lib/nip01/connection.ts'
import { buildHttpAuthHeader } from '../../spec/model/http-auth.ts'
import { RelayAuthMessages } from '../../spec/model/relay-auth.ts'
import { SubscriptionLimitRefusal } from '../../spec/model/subscription-limit.ts'
import { DefaultLimits } from '../src/config.ts'
import type { RelayInternals } from '../src/relay.ts'
import { newKey, persona, startTestRelay } from './helpers.ts'

let relay: RelayInternals
let open: RelayInternals

beforeAll(async () => {
  ;[relay, open] = await Promise.all([startTestRelay({ origin: true }), startTestRelay()])
})
afterAll(() => Promise.all([relay.close(), open.close()]))

describe('origin mode', () => {
  test('a challenge on connect; EVENT, REQ and COUNT refused with the origin texts until AUTH; then served', async () => {
    const key = newKey()
    const conn = await Nip01Connection.open(relay.url)
    try {
      expect(await conn.waitForChallenge()).toMatch(/^[0-9a-f]{64}$/)
      const event = persona(key, 'gate')
      expect(await conn.publish(event)).toMatchObject({ accepted: false, message: RelayAuthMessages.notAuthenticated })
      const before = await conn.query([{ kinds: [30175], authors: [key.pk] }], { subId: 'early' })
      expect(before).toMatchObject({ eose: false, closed: RelayAuthMessages.notAuthenticated })
      expect(conn.frames.some((f) => f[0] === 'NOTICE' && f[1] === RelayAuthMessages.beforeSubscribing)).toBe(true)
      expect(await conn.count([{ kinds: [30175] }])).toMatchObject({ closed: RelayAuthMessages.notAuthenticated })

      expect(await conn.authenticate(key.sk)).toMatchObject({ accepted: true, message: '' })
      expect(await conn.publish(event)).toMatchObject({ accepted: true })
      // the origin's rules: a held event is answered exactly duplicate:, a kindless filter refused
      expect(await conn.publish(event)).toMatchObject({ accepted: true, message: 'duplicate:' })
      expect(await conn.query([{ authors: [key.pk] }])).toMatchObject({ closed: 'restricted: p-gated events require #p matching your pubkey' })
      expect((await conn.query([{ kinds: [30175], authors: [key.pk] }])).events.map((e) => e.id)).toEqual([event.id])
      // one key per connection: another key's event and a second AUTH are refused
      expect(await conn.publish(persona(newKey(), 'other'))).toMatchObject({ accepted: false, message: RelayAuthMessages.pubkeyMismatch })
      const second = await conn.authenticate(generateSecretKey())
      expect(second).toMatchObject({ accepted: false, message: RelayAuthMessages.alreadyAuthenticated })
    } finally {
      await conn.close()
    }
  })

  test("a REQ over the subscription limit is refused with the origin's text; a reused id is not counted", async () => {
    const small = await startTestRelay({ origin: true }, { limits: { ...DefaultLimits, maxSubscriptions: 2 } })
    const conn = await Nip01Connection.open(small.url)
    try {
      const key = newKey()
      await conn.waitForChallenge()
      expect(await conn.authenticate(key.sk)).toMatchObject({ accepted: true })
      const filters = [{ kinds: [30175], authors: [key.pk] }]
      expect(await conn.subscribe(filters, 'a').stored()).toMatchObject({ eose: true })
      expect(await conn.subscribe(filters, 'b').stored()).toMatchObject({ eose: true })
      expect(await conn.subscribe(filters, 'a').stored()).toMatchObject({ eose: true })
      expect(await conn.subscribe(filters, 'c').stored()).toMatchObject({ eose: false, closed: SubscriptionLimitRefusal })
    } finally {
      await conn.close()
      await small.close()
    }
  })

  test('an AUTH naming another relay is refused and final', async () => {
    const conn = await Nip01Connection.open(relay.url)
    try {
      const key = generateSecretKey()
      expect(await conn.authenticate(key, { relayUrl: 'wss://elsewhere.example/' })).toMatchObject({ accepted: false, message: RelayAuthMessages.verificationFailed })
      expect(await conn.authenticate(key)).toMatchObject({ accepted: false, message: RelayAuthMessages.alreadyFailed })
      expect(getPublicKey(key)).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      await conn.close()
    }
  })

  test("the bridge: the origin's 401 text, another key's event 403, a kindless filter 403, /query repeats kept", async () => {
    const key = newKey()
    const post = (path: string, body: unknown, signer: Uint8Array | null = key.sk) => {
      const text = JSON.stringify(body)
      const url = `${relay.httpUrl}${path}`
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (signer !== null) headers.authorization = buildHttpAuthHeader({ secretKey: signer, url, method: 'POST', body: text })
      return fetch(url, { method: 'POST', headers, body: text }).then(async (r) => ({ status: r.status, json: (await r.json()) as unknown }))
    }
    expect(await post('/count', [{ kinds: [30175] }], null)).toEqual({ status: 401, json: { error: 'missing Nostr auth' } })
    const mine = persona(key, 'bridged')
    expect(await post('/events', mine)).toMatchObject({ status: 200, json: { accepted: true } })
    expect(await post('/events', persona(newKey(), 'foreign'))).toEqual({ status: 403, json: { error: RelayAuthMessages.pubkeyMismatch } })
    expect(await post('/query', [{ authors: [key.pk] }])).toEqual({ status: 403, json: { error: 'restricted: p-gated kinds require #p tag matching your pubkey' } })
    const both = await post('/query', [{ kinds: [30175], ids: [mine.id] }, { kinds: [30175], authors: [key.pk] }])
    expect((both.json as Array<{ id: string }>).map((e) => e.id)).toEqual([mine.id, mine.id])
    expect(await post('/count', [{ kinds: [30175], ids: [mine.id] }, { kinds: [30175], authors: [key.pk] }])).toEqual({ status: 200, json: { count: 2 } })
  })

  test('NIP-11 says auth_required and lists NIP-42; the default mode stays open and sends no challenge', async () => {
    const info = async (url: string) => (await (await fetch(url, { headers: { accept: 'application/nostr+json' } })).json()) as { supported_nips: number[]; limitation: { auth_required: boolean } }
    const [origin, plain] = await Promise.all([info(relay.httpUrl), info(open.httpUrl)])
    expect(origin.limitation.auth_required).toBe(true)
    expect(origin.supported_nips).toContain(42)
    expect(plain.limitation.auth_required).toBe(false)
    expect(plain.supported_nips).not.toContain(42)
    const conn = await Nip01Connection.open(open.url)
    try {
      const key = newKey()
      expect(await conn.publish(persona(key, 'free'))).toMatchObject({ accepted: true })
      expect(conn.challenge).toBeUndefined()
    } finally {
      await conn.close()
    }
  })
})
