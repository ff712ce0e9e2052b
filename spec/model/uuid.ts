/**
 * UUID text as the origin relay's parser reads it (`Uuid::parse_str`, used by
 * crates/buzz-relay/src/handlers/ingest.rs to decide whether an `h` value names a channel):
 * the hyphenated form, 32 digits without hyphens, the hyphenated form in braces, and
 * `urn:uuid:` followed by the hyphenated form, with hexadecimal digits in either case.
 */

const hyphenated = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const simple = /^[0-9a-fA-F]{32}$/

/** The canonical form (lowercase, hyphenated) of a UUID text, or null when it does not parse. */
export function parseUuid(text: string): string | null {
  let body = text
  if (body.startsWith('urn:uuid:')) body = body.slice('urn:uuid:'.length)
  else if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1)
  else if (simple.test(body)) {
    const h = body.toLowerCase()
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }
  return hyphenated.test(body) ? body.toLowerCase() : null
}

/** The other texts that name the same UUID: simple, braced, urn and upper case (for tests and cases). */
export function uuidForms(canonical: string): { hyphenated: string; simple: string; braced: string; urn: string; upper: string } {
  return {
    hyphenated: canonical,
    simple: canonical.replaceAll('-', ''),
    braced: `{${canonical}}`,
    urn: `urn:uuid:${canonical}`,
    upper: canonical.toUpperCase(),
  }
}
