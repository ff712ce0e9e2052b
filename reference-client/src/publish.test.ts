import { readFileSync } from 'node:fs'
import { hexToBytes } from '@noble/hashes/utils.js'
import { getPublicKey, verifyEvent } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { MaxContentBytes } from '../../spec/model/content.ts'
import { buildPersonaDeletion } from './delete.ts'
import { buildPersonaEvent } from './publish.ts'
import { covers } from './testing/covers.ts'

// The facts-sheet vectors (test key 00..01, event E1), read from spec/vectors rather than restated.
const vectors = JSON.parse(readFileSync(new URL('../../spec/vectors/events.json', import.meta.url), 'utf8')) as {
  secret_key: string
  pubkey: string
  events: { E1: { id: string; content: string; created_at: number } }
}
const sk = hexToBytes(vectors.secret_key)
const pk = getPublicKey(sk)
const e1 = vectors.events.E1
const e1Body = JSON.parse(e1.content) as Record<string, unknown>

describe('buildPersonaEvent', () => {
  test('reproduces vector E1: tags [["d", slug]], canonical body, the vector id', covers('AP-KIND-1', 'AP-ENV-1', 'AP-BODY-1'), () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'test-agent', body: e1Body, now: e1.created_at })
    expect(built.ok).toBe(true)
    if (!built.ok) return
    expect(pk).toBe(vectors.pubkey)
    expect(built.event.tags).toEqual([['d', 'test-agent']])
    expect(built.event.kind).toBe(30175)
    expect(built.event.content).toBe(e1.content)
    expect(built.event.id).toBe(e1.id)
    expect(verifyEvent(built.event)).toBe(true)
  })

  test('created_at is max(now, T+1)', covers('AP-WRITE-1'), () => {
    const behind = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 1000 })
    const ahead = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 500 })
    expect(behind.ok && behind.event.created_at).toBe(1001)
    expect(ahead.ok && ahead.event.created_at).toBe(1000)
  })

  test("refuses with blocked: when T+1 would leave the relay's window", covers('AP-WRITE-3'), () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 1002, window: { lower: 900, upper: 2 } })
    expect(built.ok).toBe(false)
    expect(!built.ok && built.message.startsWith('blocked: ')).toBe(true)
    const inside = buildPersonaEvent({ secretKey: sk, slug: 'a', body: e1Body, now: 1000, lastCreatedAt: 1001, window: { lower: 900, upper: 2 } })
    expect(inside.ok && inside.event.created_at).toBe(1002)
  })

  test('refuses a bad slug with the origin message', covers('AP-SLUG-1'), () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'Bad', body: e1Body, now: 1000 })
    expect(built).toEqual({ ok: false, message: 'invalid: persona event `d` tag must start with a lowercase letter or digit' })
  })

  test('refuses env_vars, missing required fields and bodies over 65,535 bytes', covers('AP-BODY-1', 'AP-BODY-2', 'AP-BODY-3'), () => {
    const secret = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { ...e1Body, env_vars: { K: 'v' } }, now: 1000 })
    expect(!secret.ok && secret.message).toMatch(/^invalid: .*env_vars/)
    const missing = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { display_name: 'x' }, now: 1000 })
    expect(!missing.ok && missing.message).toMatch(/^invalid: .*system_prompt/)
    const big = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { display_name: 'x', system_prompt: 'y'.repeat(MaxContentBytes) }, now: 1000 })
    expect(!big.ok && big.message).toMatch(/^invalid: .*max 65535/)
  })

  test('unknown fields are dropped from what the writer publishes', covers('AP-BODY-1'), () => {
    const built = buildPersonaEvent({ secretKey: sk, slug: 'a', body: { ...e1Body, mood: 'cheerful' }, now: 1000 })
    expect(built.ok && JSON.parse(built.event.content)).toEqual(e1Body)
  })
})

describe('buildPersonaDeletion', () => {
  test('carries the a and k tags and covers the head it deletes', covers('AP-DEL-1', 'AP-DEL-2'), () => {
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
