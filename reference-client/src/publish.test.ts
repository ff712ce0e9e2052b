import { hexToBytes } from '@noble/hashes/utils.js'
import { getPublicKey, verifyEvent } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { MaxContentBytes } from '../../spec/model/content.ts'
import { buildPersonaDeletion } from './delete.ts'
import { buildPersonaEvent } from './publish.ts'

// Facts sheet vector key (tests only): secret 00..01.
const sk = hexToBytes('0000000000000000000000000000000000000000000000000000000000000001')
const pk = getPublicKey(sk)
const e1Body = {
  display_name: 'Test Agent',
  system_prompt: 'You are a test assistant.',
  avatar_url: 'https://example.com/avatar.png',
  runtime: 'goose',
  model: 'claude-opus-4',
  provider: 'anthropic',
  name_pool: ['Alpha', 'Beta'],
}

describe('buildPersonaEvent', () => {
  test('reproduces vector E1: tags [["d", slug]], canonical body, the vector id', () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'test-agent', body: e1Body, now: 1700000000 })
    expect(built.ok).toBe(true)
    if (!built.ok) return
    expect(pk).toBe('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798')
    expect(built.event.tags).toEqual([['d', 'test-agent']])
    expect(built.event.kind).toBe(30175)
    expect(built.event.id).toBe('a170b8eb17ba9728ca69e5b3ae098ee03ad274022271949c0d71beea82e43fe4')
    expect(verifyEvent(built.event)).toBe(true)
  })

  test('created_at is max(now, T+1)', () => {
    const behind = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 1000 })
    const ahead = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 500 })
    expect(behind.ok && behind.event.created_at).toBe(1001)
    expect(ahead.ok && ahead.event.created_at).toBe(1000)
  })

  test("refuses with blocked: when T+1 would leave the relay's window", () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 1002, window: { lower: 900, upper: 2 } })
    expect(built.ok).toBe(false)
    expect(!built.ok && built.message.startsWith('blocked: ')).toBe(true)
    const inside = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 1001, window: { lower: 900, upper: 2 } })
    expect(inside.ok && inside.event.created_at).toBe(1002)
  })

  test('refuses a bad slug with the origin message', () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'Bad', body: e1Body, now: 1000 })
    expect(built).toEqual({ ok: false, message: 'invalid: persona event `d` tag must start with a lowercase letter or digit' })
  })

  test('refuses env_vars, missing required fields and bodies over 65,535 bytes', () => {
    const secret = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { ...e1Body, env_vars: { K: 'v' } }, now: 1000 })
    expect(!secret.ok && secret.message).toMatch(/^invalid: .*env_vars/)
    const missing = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { display_name: 'x' }, now: 1000 })
    expect(!missing.ok && missing.message).toMatch(/^invalid: .*system_prompt/)
    const big = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { display_name: 'x', system_prompt: 'y'.repeat(MaxContentBytes) }, now: 1000 })
    expect(!big.ok && big.message).toMatch(/^invalid: .*max 65535/)
  })

  test('unknown fields are dropped from what the writer publishes', () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { ...e1Body, mood: 'cheerful' }, now: 1000 })
    expect(built.ok && JSON.parse(built.event.content)).toEqual(e1Body)
  })
})

describe('buildPersonaDeletion', () => {
  test('carries the a and k tags and covers the head it deletes', () => {
    const built = buildPersonaDeletion({ secretKey: sk, slug: 'test-agent', now: 1000, lastCreatedAt: 1005 })
    expect(built.ok).toBe(true)
    if (!built.ok) return
    expect(built.event.kind).toBe(5)
    expect(built.event.tags).toEqual([
      ['a', `30175:${pk}:test-agent`],
      ['k', '30175'],
    ])
    expect(built.event.created_at).toBe(1006)
  })
})
