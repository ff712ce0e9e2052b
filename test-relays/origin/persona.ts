// Kind 30175 envelope, as crates/buzz-relay/src/handlers/ingest.rs `validate_persona_envelope`
// checks it: only the `d` tag, never the content. Returns the refusal text or null.
import type { NostrEvent } from './event.ts'

const LOWER_OR_DIGIT = /^[a-z0-9]$/
const SLUG_TAIL = /^[a-z0-9_-]*$/

export function personaEnvelopeError(event: NostrEvent): string | null {
  const values = event.tags.filter((t) => t.length >= 2 && t[0] === 'd').map((t) => t[1] as string)
  if (values.length !== 1) return `invalid: persona event must have exactly one \`d\` tag (got ${values.length})`
  const d = values[0] as string
  if (d.length === 0) return 'invalid: persona event `d` tag must not be empty'
  const bytes = Buffer.byteLength(d, 'utf8')
  if (bytes > 64) return `invalid: persona event \`d\` tag too long (${bytes} chars, max 64)`
  // Byte-wise like the origin: a multi-byte first character fails the first-byte test.
  const raw = Buffer.from(d, 'utf8')
  if (!LOWER_OR_DIGIT.test(String.fromCharCode(raw[0] as number))) {
    return 'invalid: persona event `d` tag must start with a lowercase letter or digit'
  }
  if (!SLUG_TAIL.test(raw.subarray(1).toString('latin1'))) {
    return 'invalid: persona event `d` tag must match [a-z0-9_-] after the first character'
  }
  return null
}

export function personaContentIsJsonObject(event: NostrEvent): boolean {
  try {
    const v: unknown = JSON.parse(event.content)
    return typeof v === 'object' && v !== null && !Array.isArray(v)
  } catch {
    return false
  }
}
