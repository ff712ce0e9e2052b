/**
 * Machine-readable prefixes of NIP-01 OK and CLOSED messages, and the one function that
 * turns a reason and a human text into the wire string. Every refusal in the project
 * goes through `formatReason` so the prefix grammar lives in one place.
 *
 * NIP-01 requires the message of `OK false` and of `CLOSED` to be "a machine-readable
 * single-word prefix followed by a `:` and then a human-readable message"; it lists the
 * standardized words separately. So the grammar (any single word, then `:`) and the
 * vocabulary (which words are standard) are two checks: `parseReason` reads the first,
 * `reasonPrefixOf` answers the second. Nothing requires a space after the colon or any
 * text at all (the origin relay answers exactly `duplicate:`).
 */

/** The words NIP-01 lists as standardized for OK and CLOSED. */
export const Nip01ReasonPrefixes = ['duplicate', 'pow', 'blocked', 'rate-limited', 'invalid', 'restricted', 'mute', 'error'] as const

/** Words other NIPs standardize: `auth-required` (NIP-42); `unsupported` (NIP-01's CLOSED example). */
export const ExtensionReasonPrefixes = ['auth-required', 'unsupported'] as const

export const ReasonPrefixes = [...Nip01ReasonPrefixes, ...ExtensionReasonPrefixes] as const

export type ReasonPrefix = (typeof ReasonPrefixes)[number]

export function formatReason(prefix: ReasonPrefix, text: string): string {
  return `${prefix}: ${text}`
}

export interface ParsedReason {
  /** The single word before the first colon, as sent. */
  word: string
  /** The word when it is one of the standardized prefixes, else null. */
  standard: ReasonPrefix | null
  /** Everything after the colon, one leading space removed (may be empty). */
  text: string
}

const grammar = /^([A-Za-z0-9_-]+):(?: )?([\s\S]*)$/
const standardWords: ReadonlySet<string> = new Set(ReasonPrefixes)

/** Splits a message into its single-word prefix and text; null when it has no `word:` prefix. */
export function parseReason(message: string): ParsedReason | null {
  const match = grammar.exec(message)
  if (match === null) return null
  const word = match[1] as string
  return { word, standard: standardWords.has(word) ? (word as ReasonPrefix) : null, text: match[2] as string }
}

/** The standardized prefix of a message (`duplicate:` alone counts), or null when it has none. */
export function reasonPrefixOf(message: string): ReasonPrefix | null {
  return parseReason(message)?.standard ?? null
}

/** Whether a message meets NIP-01's grammar: some single word followed by `:`. */
export function hasReasonPrefix(message: string): boolean {
  return parseReason(message) !== null
}

/**
 * The origin relay's whole answer to a stale, tie-losing or re-sent write: the prefix and the
 * colon, no text (crates/buzz-relay/src/handlers/ingest.rs).
 */
export const OriginDuplicateMessage = 'duplicate:'
