import { describe, expect, test } from 'vitest'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { checkEventShape, hasValidId, verifyEventSignature } from './event.ts'
import { classifyKind } from './kinds.ts'

function signed() {
  return finalizeEvent({ kind: 30175, created_at: 1_800_000_000, tags: [['d', 'x']], content: '{}' }, generateSecretKey())
}

describe('event shape and verification', () => {
  test('accepts a signed event and drops extra fields', () => {
    const event = { ...signed(), extra: 1 }
    const check = checkEventShape(event)
    expect(check.ok).toBe(true)
    if (check.ok) expect(Object.keys(check.event).sort()).toEqual(['content', 'created_at', 'id', 'kind', 'pubkey', 'sig', 'tags'])
  })

  test.each([
    ['id', { id: 'ABC' }, 'invalid: id must be 64 lowercase hex characters'],
    ['pubkey', { pubkey: 'F'.repeat(64) }, 'invalid: pubkey must be 64 lowercase hex characters'],
    ['sig', { sig: 'zz' }, 'invalid: sig must be 128 lowercase hex characters'],
    ['created_at', { created_at: 1.5 }, 'invalid: created_at must be a non-negative integer'],
    ['kind', { kind: 70000 }, 'invalid: kind must be an integer between 0 and 65535'],
    ['content', { content: 7 }, 'invalid: content must be a string'],
    ['tags', { tags: [['d', 1]] }, 'invalid: every tag must be an array of strings'],
  ])('refuses a bad %s with a precise message', (_field, override, message) => {
    expect(checkEventShape({ ...signed(), ...override })).toEqual({ ok: false, message })
  })

  test('detects a tampered id and a tampered signature', () => {
    const event = signed()
    expect(hasValidId(event)).toBe(true)
    expect(verifyEventSignature(event)).toBe(true)
    expect(verifyEventSignature({ ...event, content: '{"x":1}' })).toBe(false)
    const sig = event.sig.slice(0, -1) + (event.sig.endsWith('0') ? '1' : '0')
    expect(verifyEventSignature({ ...event, sig })).toBe(false)
  })
})

describe('kinds', () => {
  test('kind classes follow NIP-01 ranges', () => {
    expect([0, 3, 10000, 19999].map(classifyKind)).toEqual(['replaceable', 'replaceable', 'replaceable', 'replaceable'])
    expect([20000, 29999].map(classifyKind)).toEqual(['ephemeral', 'ephemeral'])
    expect([30000, 30175, 39999].map(classifyKind)).toEqual(['addressable', 'addressable', 'addressable'])
    expect([1, 5, 9, 40000].map(classifyKind)).toEqual(['regular', 'regular', 'regular', 'regular'])
  })
})
