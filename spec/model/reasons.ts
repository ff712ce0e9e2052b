/**
 * Machine-readable prefixes of NIP-01 OK and CLOSED messages, and the one function that
 * turns a reason and a human text into the wire string. Every refusal in the project
 * goes through `formatReason` so the prefix grammar lives in one place.
 */

export const ReasonPrefixes = [
  'duplicate',
  'pow',
  'blocked',
  'rate-limited',
  'invalid',
  'restricted',
  'mute',
  'error',
  'auth-required',
  'unsupported',
] as const

export type ReasonPrefix = (typeof ReasonPrefixes)[number]

export function formatReason(prefix: ReasonPrefix, text: string): string {
  return `${prefix}: ${text}`
}

const prefixPattern = new RegExp(`^(${ReasonPrefixes.join('|')}): `)

/** Returns the machine-readable prefix of a message, or null when it has none. */
export function reasonPrefixOf(message: string): ReasonPrefix | null {
  const match = prefixPattern.exec(message)
  return match ? (match[1] as ReasonPrefix) : null
}

/** NOTICE messages are free text in NIP-01; this project prefixes them too. */
export function hasReasonPrefix(message: string): boolean {
  return reasonPrefixOf(message) !== null
}
