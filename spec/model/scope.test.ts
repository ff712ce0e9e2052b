import { describe, expect, test } from 'vitest'
import type { NostrEvent } from './event.ts'
import { channelOf, checkChannelScope, matchFilterInScope } from './scope.ts'

function ev(kind: number, tags: string[][]): NostrEvent {
  return { id: '1'.repeat(64), pubkey: 'a'.repeat(64), created_at: 1, kind, tags, content: '', sig: '0'.repeat(128) }
}

describe('global-only scope', () => {
  test('an h tag scopes a channel message but never a persona', () => {
    expect(channelOf(ev(9, [['h', 'general']]))).toBe('general')
    expect(channelOf(ev(30175, [['d', 'x'], ['h', 'general']]))).toBeNull()
  })
  test('channel kinds must name their channel', () => {
    expect(checkChannelScope(ev(9, []))).toEqual({ ok: false, message: 'invalid: channel-scoped events must include an h tag' })
    expect(checkChannelScope(ev(9, [['h', 'general']]))).toEqual({ ok: true })
    expect(checkChannelScope(ev(30175, []))).toEqual({ ok: true })
  })
  test('a persona with an h tag answers global filters but not #h reads', () => {
    const persona = ev(30175, [['d', 'x'], ['h', 'general']])
    expect(matchFilterInScope({ kinds: [30175] }, persona)).toBe(true)
    expect(matchFilterInScope({ '#h': ['general'] }, persona)).toBe(false)
    expect(matchFilterInScope({ '#h': ['general'] }, ev(9, [['h', 'general']]))).toBe(true)
  })
})
