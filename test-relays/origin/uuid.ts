// Channel ids are UUIDs as Rust's uuid crate parses them: 32 hex digits, the hyphenated
// 8-4-4-4-12 form, that form in braces, or after a lowercase `urn:uuid:` prefix; hex in either
// case. Parsed ids are kept in the canonical lowercase hyphenated spelling.

const SIMPLE = /^[0-9a-fA-F]{32}$/
const HYPHENATED = /^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$/

export function parseUuid(value: string): string | null {
  let hyphenated: string
  if (value.length === 32) {
    if (!SIMPLE.test(value)) return null
    const v = value.toLowerCase()
    return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`
  } else if (value.length === 36) {
    hyphenated = value
  } else if (value.length === 38 && value.startsWith('{') && value.endsWith('}')) {
    hyphenated = value.slice(1, -1)
  } else if (value.length === 45 && value.startsWith('urn:uuid:')) {
    hyphenated = value.slice(9)
  } else {
    return null
  }
  return HYPHENATED.test(hyphenated) ? hyphenated.toLowerCase() : null
}
