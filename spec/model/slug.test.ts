import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { invalidSlug, validSlug } from '../arbitraries/slug.ts'
import { checkSlug, isValidSlug, SlugPattern } from './slug.ts'

const asciiGrammar = /^[a-z0-9][a-z0-9_-]{0,63}$/

describe('slug grammar', () => {
  test('boundaries: 1 and 64 bytes are valid, 0 and 65 are not', () => {
    expect(isValidSlug('a')).toBe(true)
    expect(isValidSlug('a'.repeat(64))).toBe(true)
    expect(checkSlug('')).toMatchObject({ ok: false, defect: 'empty' })
    expect(checkSlug('a'.repeat(65))).toMatchObject({ ok: false, defect: 'too-long' })
  })

  test('messages are the origin relay texts in its check order', () => {
    expect(checkSlug('')).toMatchObject({ message: 'invalid: persona event `d` tag must not be empty' })
    expect(checkSlug('A'.repeat(70))).toMatchObject({ message: 'invalid: persona event `d` tag too long (70 chars, max 64)' })
    expect(checkSlug('-x')).toMatchObject({
      message: 'invalid: persona event `d` tag must start with a lowercase letter or digit',
    })
    expect(checkSlug('xY')).toMatchObject({
      message: 'invalid: persona event `d` tag must match [a-z0-9_-] after the first character',
    })
  })

  test('length is counted in UTF-8 bytes', () => {
    expect(checkSlug('é'.repeat(33))).toMatchObject({ defect: 'too-long', message: expect.stringContaining('(66 chars') })
  })

  test.prop([fc.string({ unit: 'binary', maxLength: 80 })])('agrees with the grammar over arbitrary strings', (s) => {
    expect(isValidSlug(s)).toBe(asciiGrammar.test(s))
    expect(SlugPattern.test(s)).toBe(asciiGrammar.test(s))
  })

  test.prop([validSlug])('accepts every generated valid slug', (slug) => {
    expect(checkSlug(slug)).toEqual({ ok: true })
  })

  test.prop([invalidSlug])('refuses every generated invalid slug with the defect it was built with', ({ slug, defect }) => {
    const check = checkSlug(slug)
    expect(check.ok).toBe(false)
    if (!check.ok) {
      expect(check.defect).toBe(defect)
      expect(check.message.startsWith('invalid: ')).toBe(true)
    }
  })

  test('the valid-slug arbitrary reaches both length boundaries', () => {
    const lengths = fc.sample(validSlug, { numRuns: 2000, seed: 42 }).map((s) => s.length)
    expect(lengths).toContain(1)
    expect(lengths).toContain(64)
  })
})
