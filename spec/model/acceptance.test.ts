import { describe, expect, test } from 'vitest'
import type { NostrEvent } from './event.ts'
import { checkRelayRules } from './acceptance.ts'
import { symmetricWindow } from './clock.ts'

const now = 1_800_000_000
const w = symmetricWindow(900)
function ev(kind: number, tags: string[][], created_at = now, pubkey = 'a'.repeat(64)): NostrEvent {
  return { id: '1'.repeat(64), pubkey, created_at, kind, tags, content: 'not json at all', sig: '0'.repeat(128) }
}

describe('stateless relay rules', () => {
  test('the clock window is checked before the envelope', () => {
    expect(checkRelayRules(ev(30175, [], now + 901), now, w)).toEqual({ ok: false, message: 'invalid: event timestamp too far from server time' })
  })
  test('personas: envelope checked, content not validated, h tag no obstacle', () => {
    expect(checkRelayRules(ev(30175, [['d', 'x'], ['h', 'never-joined']]), now, w)).toEqual({ ok: true })
    expect(checkRelayRules(ev(30175, [['d', 'X']]), now, w)).toMatchObject({ ok: false })
  })
  test('channel messages need h; foreign address deletions are refused', () => {
    expect(checkRelayRules(ev(9, []), now, w)).toMatchObject({ ok: false, message: 'invalid: channel-scoped events must include an h tag' })
    expect(checkRelayRules(ev(5, [['a', `30175:${'b'.repeat(64)}:x`]]), now, w)).toEqual({ ok: false, message: 'invalid: must be event author' })
  })
})
