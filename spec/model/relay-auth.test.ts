import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { checkRelayAuthEvent, normalizeRelayUrl, RelayAuthMessages, RelayAuthWindowSeconds } from './relay-auth.ts'
import { reasonPrefixOf } from './reasons.ts'

const now = 1_800_000_000
const relayUrl = 'ws://127.0.0.1:7777'
const challenge = 'c'.repeat(64)
const key = generateSecretKey()
const expected = { challenge, relayUrl, now }

function answer(overrides: { relayUrl?: string; challenge?: string; createdAt?: number } = {}) {
  const spec = { relayUrl, challenge, createdAt: now, ...overrides }
  return finalizeEvent({ kind: 22242, created_at: spec.createdAt, tags: [['relay', spec.relayUrl], ['challenge', spec.challenge]], content: '' }, key)
}

describe('NIP-42 AUTH answers', () => {
  test('an answer built for the challenge is accepted and names the signer', () => {
    expect(checkRelayAuthEvent(answer(), expected)).toEqual({ ok: true, pubkey: getPublicKey(key) })
  })

  test('created_at exactly 60 s either side is accepted, 61 s is not', () => {
    expect(checkRelayAuthEvent(answer({ createdAt: now - RelayAuthWindowSeconds }), expected).ok).toBe(true)
    expect(checkRelayAuthEvent(answer({ createdAt: now + RelayAuthWindowSeconds }), expected).ok).toBe(true)
    expect(checkRelayAuthEvent(answer({ createdAt: now - RelayAuthWindowSeconds - 1 }), expected)).toMatchObject({ ok: false, reason: 'expired' })
  })

  test('localhost, ::1 and a trailing slash name the same relay', () => {
    expect(normalizeRelayUrl('ws://localhost:7777/')).toBe(normalizeRelayUrl('ws://127.0.0.1:7777'))
    expect(normalizeRelayUrl('ws://[::1]:7777')).toBe(normalizeRelayUrl('ws://127.0.0.1:7777'))
    expect(normalizeRelayUrl('ws://127.0.0.1:7777/a/')).toBe('ws://127.0.0.1:7777/a')
    expect(checkRelayAuthEvent(answer({ relayUrl: 'ws://localhost:7777/' }), expected).ok).toBe(true)
    expect(normalizeRelayUrl('not a url')).toBe('not a url')
  })

  test('each failed check is named, and every failure is answered with the origin text', () => {
    const cases: Array<[string, unknown]> = [
      ['shape', { kind: 22242 }],
      ['kind', finalizeEvent({ kind: 1, created_at: now, tags: [['relay', relayUrl], ['challenge', challenge]], content: '' }, key)],
      ['challenge', answer({ challenge: 'other' })],
      ['relay', answer({ relayUrl: 'ws://127.0.0.1:7778' })],
      ['relay', finalizeEvent({ kind: 22242, created_at: now, tags: [['challenge', challenge]], content: '' }, key)],
      ['id', { ...answer(), content: 'changed' }],
      ['signature', { ...answer(), sig: 'f'.repeat(128) }],
    ]
    for (const [reason, value] of cases) {
      expect(checkRelayAuthEvent(value, expected)).toEqual({ ok: false, reason, message: RelayAuthMessages.verificationFailed })
    }
  })

  test('every origin AUTH text carries a machine-readable prefix', () => {
    for (const message of Object.values(RelayAuthMessages)) expect(reasonPrefixOf(message)).not.toBeNull()
  })
})
