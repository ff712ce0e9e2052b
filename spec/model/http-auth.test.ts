import { describe, expect, test } from 'vitest'
import { fc, it } from '@fast-check/vitest'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import type { NostrEvent } from './event.ts'
import {
  buildHttpAuthEvent,
  buildHttpAuthHeader,
  checkHttpAuth,
  encodeHttpAuthHeader,
  HttpAuthRefusals,
  HttpAuthWindowSeconds,
  payloadHash,
  sameRequestUrl,
  type HttpAuthRequest,
} from './http-auth.ts'
import { reasonPrefixOf } from './reasons.ts'

const now = 1_800_000_000
const url = 'http://127.0.0.1:7777/events'
const body = '{"kinds":[1]}'
const request: HttpAuthRequest = { url, method: 'POST', body, now }
const never = () => false
const key = generateSecretKey()

function header(overrides: Partial<Parameters<typeof buildHttpAuthEvent>[0]> = {}): string {
  return buildHttpAuthHeader({ secretKey: key, url, method: 'POST', body, createdAt: now, ...overrides })
}

function signedWith(tags: string[][], kind = 27235, createdAt = now): NostrEvent {
  return finalizeEvent({ kind, created_at: createdAt, tags, content: '' }, key)
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64')
}

describe('NIP-98 acceptance', () => {
  test('a header built for the request is accepted and names the signer', () => {
    const check = checkHttpAuth(header(), request, never)
    expect(check).toMatchObject({ ok: true, pubkey: getPublicKey(key) })
    if (check.ok) expect(check.id).toBe(check.event.id)
  })

  test('the payload tag is optional', () => {
    expect(checkHttpAuth(header({ body: undefined }), request, never).ok).toBe(true)
  })

  test('the scheme is case-insensitive and the method tag too', () => {
    const token = header({ method: 'post' }).slice('Nostr '.length)
    expect(checkHttpAuth(`nostr ${token}`, request, never).ok).toBe(true)
    expect(checkHttpAuth(`NOSTR   ${token}`, { ...request, method: 'post' }, never).ok).toBe(true)
  })

  test('unpadded base64 is accepted', () => {
    const token = header().slice('Nostr '.length).replace(/=+$/, '')
    expect(checkHttpAuth(`Nostr ${token}`, request, never).ok).toBe(true)
  })

  test('created_at exactly 60 s either side of now is accepted', () => {
    expect(checkHttpAuth(header({ createdAt: now - HttpAuthWindowSeconds }), request, never).ok).toBe(true)
    expect(checkHttpAuth(header({ createdAt: now + HttpAuthWindowSeconds }), request, never).ok).toBe(true)
  })

  test('a u tag differing only in URL normalisation is the same URL', () => {
    expect(checkHttpAuth(header({ url: 'HTTP://127.0.0.1:7777/events' }), request, never).ok).toBe(true)
    expect(sameRequestUrl('http://Example.com:80', 'http://example.com/')).toBe(true)
    expect(sameRequestUrl('http://example.com/events?a=1&b=2', 'http://example.com/events?b=2&a=1')).toBe(false)
    expect(sameRequestUrl('not a url', 'http://example.com/')).toBe(false)
  })

  test('bodies given as bytes or text hash alike; null hashes as empty', () => {
    expect(payloadHash(new TextEncoder().encode(body))).toBe(payloadHash(body))
    expect(payloadHash(null)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    const bytes = { ...request, body: new TextEncoder().encode(body) }
    expect(checkHttpAuth(header(), bytes, never).ok).toBe(true)
  })
})

describe('NIP-98 refusals, one per reason', () => {
  const tampered = (change: (event: NostrEvent) => void): string => {
    const event = buildHttpAuthEvent({ secretKey: key, url, method: 'POST', body, createdAt: now })
    change(event)
    return encodeHttpAuthHeader(event)
  }

  test.each([
    ['missing', undefined],
    ['missing', '   '],
    ['scheme', `Bearer ${base64('{}')}`],
    ['scheme', 'Nostr'],
    ['base64', 'Nostr @@@@'],
    ['base64', 'Nostr abcde'],
    ['base64', 'Nostr ab=c'],
    ['json', `Nostr ${base64('{"kind":')}`],
    ['shape', `Nostr ${base64('[1,2]')}`],
    ['shape', `Nostr ${base64('{"kind":27235}')}`],
    ['kind', encodeHttpAuthHeader(signedWith([['u', url], ['method', 'POST']], 27236))],
    ['expired', header({ createdAt: now - HttpAuthWindowSeconds - 1 })],
    ['expired', header({ createdAt: now + HttpAuthWindowSeconds + 1 })],
    ['noUrl', encodeHttpAuthHeader(signedWith([['method', 'POST']]))],
    ['url', header({ url: 'http://127.0.0.1:7777/query' })],
    ['url', header({ url: 'https://127.0.0.1:7777/events' })],
    ['url', header({ url: 'http://127.0.0.1:7778/events' })],
    ['url', header({ url: `${url}?x=1` })],
    ['noMethod', encodeHttpAuthHeader(signedWith([['u', url]]))],
    ['method', header({ method: 'GET' })],
    ['payload', header({ body: `${body} ` })],
    ['payload', encodeHttpAuthHeader(signedWith([['u', url], ['method', 'POST'], ['payload', payloadHash(body).toUpperCase()]]))],
    ['id', tampered((e) => (e.content = 'changed'))],
    ['signature', tampered((e) => (e.sig = (e.sig[0] === '0' ? '1' : '0') + e.sig.slice(1)))],
  ] as const)('%s: %s', (reason, value) => {
    const check = checkHttpAuth(value, request, never)
    expect(check).toEqual({ ok: false, reason, message: HttpAuthRefusals[reason] })
  })

  test('a payload tag on a request without a body must be the hash of nothing', () => {
    expect(checkHttpAuth(header(), { ...request, body: null }, never)).toMatchObject({ ok: false, reason: 'payload' })
    expect(checkHttpAuth(header({ body: '' }), { ...request, body: null }, never).ok).toBe(true)
  })

  test('a replayed id is refused, and the guard is asked only about valid events', () => {
    const used = new Set<string>()
    const asked: string[] = []
    const seen = (id: string) => {
      asked.push(id)
      if (used.has(id)) return true
      used.add(id)
      return false
    }
    const value = header()
    expect(checkHttpAuth(value, request, seen).ok).toBe(true)
    expect(checkHttpAuth(value, request, seen)).toEqual({ ok: false, reason: 'replayed', message: HttpAuthRefusals.replayed })
    expect(checkHttpAuth(header({ method: 'GET' }), request, seen).ok).toBe(false)
    expect(asked).toHaveLength(2)
  })

  test('the guard is told the created_at so it knows how long to remember the id', () => {
    let told: number | undefined
    checkHttpAuth(header({ createdAt: now - 5 }), request, (_id, createdAt) => {
      told = createdAt
      return false
    })
    expect(told).toBe(now - 5)
  })

  test('every refusal is distinct and prefixed', () => {
    const messages = Object.values(HttpAuthRefusals)
    expect(new Set(messages).size).toBe(messages.length)
    for (const message of messages) expect(['auth-required', 'invalid']).toContain(reasonPrefixOf(message))
  })
})

describe('NIP-98 properties', () => {
  it.prop([fc.integer({ min: -300, max: 300 })])('accepted iff created_at is within ±60 s', (offset) => {
    const check = checkHttpAuth(header({ createdAt: now + offset }), request, never)
    expect(check.ok).toBe(Math.abs(offset) <= HttpAuthWindowSeconds)
  })

  // The signed body has no NUL, so every generated body differs from it.
  it.prop([fc.string({ maxLength: 64 }).map((text) => `${text}\u0000`)])('any other body fails the payload check', (other) => {
    expect(checkHttpAuth(header(), { ...request, body: other }, never)).toMatchObject({ ok: false, reason: 'payload' })
  })

  it.prop([fc.string({ maxLength: 200 })])('arbitrary header text never throws', (text) => {
    const check = checkHttpAuth(text, request, never)
    expect(check.ok).toBe(false)
  })
})

describe('skippable checks (test relays with deliberate defects only)', () => {
  test.each([
    ['expired', header({ createdAt: now - 3600 })],
    ['url', header({ url: 'http://elsewhere.example/events' })],
    ['method', header({ method: 'PUT' })],
    ['payload', header({ body: 'other' })],
  ] as const)('skipping %s lets exactly that failure through', (name, value) => {
    expect(checkHttpAuth(value, request, never)).toMatchObject({ ok: false, reason: name })
    expect(checkHttpAuth(value, request, never, { skip: new Set([name]) }).ok).toBe(true)
  })

  test('skipping the replay guard never asks it', () => {
    expect(checkHttpAuth(header(), request, () => true, { skip: new Set(['replayed']) }).ok).toBe(true)
  })

  test('skipping the signature still needs a correct id', () => {
    const event = buildHttpAuthEvent({ secretKey: key, url, method: 'POST', body, createdAt: now })
    const forged = encodeHttpAuthHeader({ ...event, sig: '0'.repeat(128) })
    expect(checkHttpAuth(forged, request, never, { skip: new Set(['signature']) }).ok).toBe(true)
    expect(checkHttpAuth(encodeHttpAuthHeader({ ...event, content: 'x' }), request, never, { skip: new Set(['signature']) })).toMatchObject({
      reason: 'id',
    })
  })
})
