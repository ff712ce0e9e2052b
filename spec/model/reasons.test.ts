import { describe, expect, test } from 'vitest'
import { formatReason, hasReasonPrefix, parseReason, reasonPrefixOf } from './reasons.ts'

describe('reason prefixes (NIP-01: a single word followed by a colon)', () => {
  test('a standard word is recognised with or without a space or text after the colon', () => {
    expect(reasonPrefixOf(formatReason('invalid', 'x'))).toBe('invalid')
    expect(reasonPrefixOf('rate-limited: slow down')).toBe('rate-limited')
    expect(reasonPrefixOf('invalid:bad d tag')).toBe('invalid')
    expect(reasonPrefixOf('duplicate:')).toBe('duplicate')
    expect(reasonPrefixOf('duplicate: ')).toBe('duplicate')
    expect(reasonPrefixOf('auth-required: not authenticated')).toBe('auth-required')
  })

  test('a non-standard single word meets the grammar but is not a standard prefix', () => {
    expect(parseReason('persona: slug too long')).toEqual({ word: 'persona', standard: null, text: 'slug too long' })
    expect(hasReasonPrefix('persona: slug too long')).toBe(true)
    expect(reasonPrefixOf('persona: slug too long')).toBeNull()
  })

  test('text without a leading single word and colon has no prefix', () => {
    for (const message of ['', 'bad slug', ' invalid: leading space', 'two words: x', ':x', 'invalid']) {
      expect(parseReason(message), message).toBeNull()
      expect(hasReasonPrefix(message), message).toBe(false)
    }
  })

  test('the text keeps everything after the colon, newlines included', () => {
    expect(parseReason('error:a\nb')?.text).toBe('a\nb')
    expect(parseReason('error:  two spaces')?.text).toBe(' two spaces')
  })
})
