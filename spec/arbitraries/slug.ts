/** fast-check arbitraries for slugs: valid ones by construction, invalid ones by defect. */

import fc from 'fast-check'
import type { SlugDefect } from '../model/slug.ts'

const firstChars = 'abcdefghijklmnopqrstuvwxyz0123456789'
const laterChars = `${firstChars}_-`

const firstChar = fc.constantFrom(...firstChars)
const laterChar = fc.constantFrom(...laterChars)

/** Any slug the grammar accepts, 1..64 bytes, with the boundaries well represented. */
export const validSlug: fc.Arbitrary<string> = fc
  .tuple(firstChar, fc.array(laterChar, { minLength: 0, maxLength: 63, size: 'max' }))
  .map(([head, rest]) => head + rest.join(''))

const forbiddenAscii = [...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i))].filter(
  (ch) => !laterChars.includes(ch),
)
const nonAscii = fc.constantFrom('é', 'ß', 'Ω', 'ж', '中', '🤖', '\u00a0', '\u200b', 'ａ')

export interface InvalidSlug {
  slug: string
  defect: SlugDefect
}

/** Invalid slugs tagged with the first defect the origin check order reports. */
export const invalidSlug: fc.Arbitrary<InvalidSlug> = fc.oneof(
  fc.constant<InvalidSlug>({ slug: '', defect: 'empty' }),
  fc
    .tuple(validSlug, fc.array(laterChar, { minLength: 1, maxLength: 40 }))
    .map(([base, pad]) => ({ slug: (base + 'x'.repeat(64)).slice(0, 64) + pad.join(''), defect: 'too-long' as const })),
  fc
    .tuple(fc.constantFrom('-', '_', ...forbiddenAscii.filter((c) => c !== '')), fc.array(laterChar, { maxLength: 20 }))
    .map(([head, rest]) => ({ slug: head + rest.join(''), defect: 'bad-first-char' as const })),
  fc
    .tuple(firstChar, fc.array(laterChar, { maxLength: 20 }), fc.oneof(fc.constantFrom(...forbiddenAscii), nonAscii))
    .map(([head, rest, bad]) => ({ slug: head + rest.join('') + bad, defect: 'bad-char' as const })),
  fc
    .tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), fc.array(laterChar, { maxLength: 20 }))
    .map(([head, rest]) => ({ slug: head + rest.join(''), defect: 'bad-first-char' as const })),
)
