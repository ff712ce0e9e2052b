// The origin's kind tables (crates/buzz-core/src/kind.rs; crates/buzz-relay/src/handlers/ingest.rs
// `required_scope_for_kind`, `is_global_only_kind`, `requires_h_channel_scope`).

export const KIND = {
  profile: 0,
  textNote: 1,
  contactList: 3,
  deletion: 5,
  reaction: 7,
  streamMessage: 9,
  giftWrap: 1059,
  putUser: 9000,
  removeUser: 9001,
  editMetadata: 9002,
  deleteEvent: 9005,
  createGroup: 9007,
  deleteGroup: 9008,
  joinRequest: 9021,
  leaveRequest: 9022,
  presence: 20001,
  auth: 22242,
  nip43Leave: 28936,
  agentEngram: 30174,
  persona: 30175,
  memberAddedNotification: 44100,
  memberRemovedNotification: 44101,
  agentObserverFrame: 24200,
  dmVisibility: 30622,
} as const

/** Kinds with a write scope: anything else is `restricted: unknown event kind`. */
const KNOWN_KINDS = new Set<number>([
  0, 1, 3, 5, 7, 9, 1059,
  1617, 1618, 1619, 1621, 1630, 1631, 1632, 1633,
  9000, 9001, 9002, 9005, 9007, 9008, 9021, 9022, 9030, 9031, 9032, 9035, 9036,
  10000, 10001, 10002, 10003, 10030, 10100,
  28936,
  30000, 30003, 30023, 30030, 30078, 30174, 30175, 30315, 30617, 30618, 30620,
  40002, 40003, 40004, 40005, 40006, 40007, 40008, 40100,
  41010, 41011, 41012,
  45001, 45002, 45003,
  46020, 46030, 46031,
  48100, 48101, 48102, 48103, 48106,
])

export function isKnownKind(kind: number): boolean {
  return KNOWN_KINDS.has(kind)
}

/** Kinds whose `h` tag is ignored: stored with no channel. */
const GLOBAL_ONLY_KINDS = new Set<number>([
  0, 1, 3, 30023, 30315, 30078,
  10000, 10001, 10002, 10003, 30000, 30003, 30030, 10030,
  30174, 10100, 30175,
  30617, 30618, 1617, 1618, 1619, 1621, 1630, 1631, 1632, 1633,
  9030, 9031, 9032, 28936, 9035, 9036, 30621,
])

export function isGlobalOnlyKind(kind: number): boolean {
  return GLOBAL_ONLY_KINDS.has(kind)
}

/** Kinds that need a UUID `h` tag; they are also the kinds whose `e` markers make threads. */
const THREAD_KINDS = new Set<number>([
  9, 40002, 40003, 40004, 40005, 40006, 40007, 40008, 40100, 45001, 45002, 45003,
  9000, 9001, 9002, 9005, 9008, 9022,
  48100, 48101, 48102, 48103, 48106,
])

export function requiresChannel(kind: number): boolean {
  return THREAD_KINDS.has(kind)
}

/** Relay-signed kinds a client may not submit. */
export function isRelayOnlyKind(kind: number): boolean {
  return kind === 40901 || kind === 40902 || kind === 30621 || kind === 30622
}

/** Kinds the origin routes to subsystems this relay does not model (commands, relay admin, archival). */
export function isUnmodelledKind(kind: number): boolean {
  return [30620, 41010, 41011, 41012, 46020, 46030, 46031, 9030, 9031, 9032, 9035, 9036].includes(kind)
}

export function isEphemeralKind(kind: number): boolean {
  return kind >= 20000 && kind <= 29999
}

export function isReplaceableKind(kind: number): boolean {
  return kind === 0 || kind === 3 || kind === 41 || (kind >= 10000 && kind <= 19999)
}

export function isAddressableKind(kind: number): boolean {
  return kind >= 30000 && kind <= 39999
}

export function isChannelAdminKind(kind: number): boolean {
  return kind >= 9000 && kind <= 9022
}

/** Reads of these kinds need `#p` naming the reader (or `ids`); a kindless filter can match them. */
export const P_GATED_KINDS: readonly number[] = [
  KIND.agentObserverFrame,
  KIND.memberAddedNotification,
  KIND.memberRemovedNotification,
  KIND.giftWrap,
  KIND.dmVisibility,
]
