/** Slug grammar of the persona `d` tag (AP-SLUG-*). */

import { utf8ByteLength } from './bytes.ts'

export const SlugPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/
export const SlugMaxBytes = 64

export type SlugDefect = 'empty' | 'too-long' | 'bad-first-char' | 'bad-char'

export type SlugCheck = { ok: true } | { ok: false; defect: SlugDefect; message: string }

const firstByte = /^[a-z0-9]$/
const laterByte = /^[a-z0-9_-]$/

/**
 * Checks a slug in the origin relay's order: empty, length in UTF-8 bytes, first
 * character, later characters. The messages are the origin relay's, byte for byte.
 */
export function checkSlug(slug: string): SlugCheck {
  if (slug.length === 0) {
    return { ok: false, defect: 'empty', message: 'invalid: persona event `d` tag must not be empty' }
  }
  const bytes = utf8ByteLength(slug)
  if (bytes > SlugMaxBytes) {
    return {
      ok: false,
      defect: 'too-long',
      message: `invalid: persona event \`d\` tag too long (${bytes} chars, max ${SlugMaxBytes})`,
    }
  }
  const chars = Array.from(slug)
  if (!firstByte.test(chars[0] ?? '')) {
    return {
      ok: false,
      defect: 'bad-first-char',
      message: 'invalid: persona event `d` tag must start with a lowercase letter or digit',
    }
  }
  for (const ch of chars.slice(1)) {
    if (!laterByte.test(ch)) {
      return {
        ok: false,
        defect: 'bad-char',
        message: 'invalid: persona event `d` tag must match [a-z0-9_-] after the first character',
      }
    }
  }
  return { ok: true }
}

export function isValidSlug(slug: string): boolean {
  return checkSlug(slug).ok
}
