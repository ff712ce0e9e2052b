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

/**
 * The origin relay's channel kinds (`requires_h_channel_scope`,
 * crates/buzz-relay/src/handlers/ingest.rs): chat messages (9), its stream, forum and canvas
 * kinds, and the NIP-29 moderation kinds. Kind 11 is not among them (the origin does not know it).
 */
export const OriginChannelKinds: ReadonlySet<number> = new Set([
  ChannelMessageKind,
  9000, 9001, 9002, 9005, 9008, 9022,
  40002, 40003, 40004, 40005, 40006, 40007, 40008, 40100,
  45001, 45002, 45003,
  48100, 48101, 48102, 48103, 48106,
])

export function isOriginChannelKind(kind: number): boolean {
  return OriginChannelKinds.has(kind)
}

/** NIP-29 create-group: the origin relay creates the channel named by its UUID `h` tag. */
export const CreateGroupKind = 9007
