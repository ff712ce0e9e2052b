// NIP-AP ingest rule for kind 30175: exactly one valued `d` tag holding a valid slug.
// Content is never looked at (unless the content-validated defect is on), and other tags,
// `h` included, change nothing.
import type { NostrEvent } from './event.ts'
import type { Faults } from './faults.ts'

const slugGrammar = /^[a-z0-9][a-z0-9_-]{0,63}$/

function slugPattern(faults: Faults): RegExp {
  if (faults.has('slug-uppercase-accepted')) return /^[a-z0-9][a-z0-9_-]{0,63}$/i
  if (faults.has('slug-65-accepted')) return /^[a-z0-9][a-z0-9_-]{0,64}$/
  if (faults.has('slug-64-refused')) return /^[a-z0-9][a-z0-9_-]{0,62}$/
  if (faults.has('slug-non-ascii-accepted')) return /^[\p{Ll}\p{Nd}][\p{Ll}\p{Nd}_-]{0,63}$/u
  if (faults.has('slug-leading-symbol-accepted')) return /^[a-z0-9_-][a-z0-9_-]{0,63}$/
  if (faults.has('slug-slash-accepted')) return /^[a-z0-9][a-z0-9_/-]{0,63}$/
  return slugGrammar
}

export function slugIsValid(slug: string, faults: Faults): boolean {
  if (slug === '' && faults.has('slug-empty-accepted')) return true
  return slugPattern(faults).test(slug)
}

/** Why a persona event is refused (text after `invalid: `), or null when it is acceptable. */
export function personaProblem(event: NostrEvent, faults: Faults): string | null {
  const dTags = event.tags.filter(
    (tag) => tag[0] === 'd' && (tag.length > 1 || faults.has('valueless-d-counted')),
  )
  if (dTags.length !== 1 && !(faults.has('two-d-tags-accepted') && dTags.length > 1)) {
    return `a persona needs exactly one d tag with a value, this one has ${dTags.length}`
  }
  const slug = dTags[0]?.[1] ?? ''
  if (slug === '' && !faults.has('slug-empty-accepted')) return 'the persona slug (d tag) must not be empty'
  if (!slugIsValid(slug, faults)) {
    return `the persona slug ${JSON.stringify(slug)} does not match ^[a-z0-9][a-z0-9_-]{0,63}$`
  }
  if (faults.has('extra-tags-refused') && event.tags.some((tag) => tag[0] !== 'd')) {
    return 'a persona may carry only its d tag'
  }
  if (faults.has('h-tag-refused') && event.tags.some((tag) => tag[0] === 'h')) {
    return 'personas are global and cannot name a channel with an h tag'
  }
  if (faults.has('content-validated') && !contentLooksLikePersona(event.content)) {
    return 'persona content must be a JSON object with string display_name and system_prompt'
  }
  return null
}

function contentLooksLikePersona(content: string): boolean {
  try {
    const body: unknown = JSON.parse(content)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return false
    const record = body as Record<string, unknown>
    return typeof record.display_name === 'string' && typeof record.system_prompt === 'string'
  } catch {
    return false
  }
}
