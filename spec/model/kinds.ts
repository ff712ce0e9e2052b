/** Kind numbers and kind classes (NIP-01) plus the NIP-AP persona kind. */

export const PersonaKind = 30175
export type PersonaKind = typeof PersonaKind

export const DeletionKind = 5
export const ChannelMessageKind = 9
export const HttpAuthKind = 27235
export const RelayAuthKind = 22242

export type KindClass = 'regular' | 'replaceable' | 'ephemeral' | 'addressable'

export function isReplaceableKind(kind: number): boolean {
  return kind === 0 || kind === 3 || (kind >= 10000 && kind < 20000)
}

export function isEphemeralKind(kind: number): boolean {
  return kind >= 20000 && kind < 30000
}

export function isAddressableKind(kind: number): boolean {
  return kind >= 30000 && kind < 40000
}

export function classifyKind(kind: number): KindClass {
  if (isReplaceableKind(kind)) return 'replaceable'
  if (isEphemeralKind(kind)) return 'ephemeral'
  if (isAddressableKind(kind)) return 'addressable'
  return 'regular'
}

/**
 * Kinds that are never scoped to a channel even when they carry an `h` tag
 * (origin profile, AP-SCOPE-*). Personas are owner-wide definitions, not channel content.
 */
export const GlobalOnlyKinds: ReadonlySet<number> = new Set([0, 3, PersonaKind, 10002])

/**
 * Kinds that only make sense inside a channel and therefore must carry an `h` tag
 * (origin profile). Kind 9 is a NIP-29 chat message, 11 a NIP-29 thread root.
 */
export const ChannelScopedKinds: ReadonlySet<number> = new Set([ChannelMessageKind, 11])

export function isGlobalOnlyKind(kind: number): boolean {
  return GlobalOnlyKinds.has(kind)
}

export function isChannelScopedKind(kind: number): boolean {
  return ChannelScopedKinds.has(kind)
}
