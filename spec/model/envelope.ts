/** Tag envelope of a persona event (AP-ENV-*), checked in the origin relay's order. */

import type { Tag } from './event.ts'
import { checkSlug } from './slug.ts'

export type EnvelopeCheck = { ok: true; slug: string } | { ok: false; message: string }

/**
 * A `d` tag counts only when it has a value at index 1 (`["d"]` is ignored, `["d",""]`
 * counts and is then refused as empty). See AMBIGUITIES.md, "counting d tags".
 */
export function valuedDTags(tags: readonly Tag[]): string[] {
  const values: string[] = []
  for (const tag of tags) {
    if (tag[0] === 'd' && typeof tag[1] === 'string') values.push(tag[1])
  }
  return values
}

/** The relay-side check: exactly one valued `d` tag holding a grammatical slug. */
export function checkPersonaEnvelope(tags: readonly Tag[]): EnvelopeCheck {
  const dValues = valuedDTags(tags)
  if (dValues.length !== 1) {
    return {
      ok: false,
      message: `invalid: persona event must have exactly one \`d\` tag (got ${dValues.length})`,
    }
  }
  const slug = dValues[0] as string
  const slugCheck = checkSlug(slug)
  if (!slugCheck.ok) return { ok: false, message: slugCheck.message }
  return { ok: true, slug }
}

/** Tags a writer emits: exactly `[["d", slug]]`, optionally followed by the NIP-31 alt tag. */
export function personaTags(slug: string, options: { alt?: boolean } = {}): Tag[] {
  const tags: Tag[] = [['d', slug]]
  if (options.alt) tags.push(['alt', PersonaAltText])
  return tags
}

export const PersonaAltText = 'agent persona definition'
