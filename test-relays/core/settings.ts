// Every knob a variation can turn. The defaults are the clean, correct relay.

export interface ClockWindow {
  /** Events with |created_at - now| above this are refused. */
  readonly seconds: number
  /** Published in NIP-11 `limitation.created_at_lower_limit` / `created_at_upper_limit`. */
  readonly advertised: boolean
}

export interface Settings {
  /** NIP-11 document: full, without `limitation`, or none at all. */
  readonly nip11: 'full' | 'no-limitation' | 'off'
  /** Extra NIP-11 fields beyond the ones the relay needs. */
  readonly nip11Extras: boolean
  readonly count: 'serve' | 'refuse'
  readonly countAppliesLimit: boolean
  readonly countApproximateFlag: boolean
  /** REQ answers served from a cache up to this many ms old; 0 = no cache. */
  readonly readCacheMs: number
  /** Kinds accepted on EVENT; null = all. */
  readonly kindAllowlist: readonly number[] | null
  /** REQ and COUNT filters without `kinds` are refused. */
  readonly requireKinds: boolean
  readonly deletions: 'honour' | 'ignore'
  /** NIP-09 "Relays MAY validate": refuse a deletion naming another author's event. */
  readonly deletionAuthorCheck: boolean
  /** Refuse a deletion request that does not name exactly one event or address (as the origin relay does). */
  readonly deletionSingleTarget: boolean
  /** A re-send of a deleted event: refused (OK false) or acknowledged as a duplicate. */
  readonly deletedResend: 'refuse' | 'ack'
  /** Prefix word used for refusals (OK false, CLOSED) other than `auth-required`. */
  readonly refusalPrefix: 'standard' | 'blocked' | 'rejected'
  readonly spaceAfterColon: boolean
  /** OK true for duplicates and stale versions carries a `duplicate:` note (else ""). */
  readonly duplicateNotes: boolean
  /** A stale or tie-losing version: acknowledged (OK true, not stored) or refused. */
  readonly staleWrites: 'ack' | 'refuse'
  readonly maxLimit: number
  readonly defaultLimit: number
  readonly notices: boolean
  readonly maxMessageLength: number
  readonly clockWindow: ClockWindow | null
  /** NIP-42 AUTH required before EVENT, REQ and COUNT. */
  readonly auth: boolean
  /** When the challenge goes out: on connect, or just before the first `auth-required:`. */
  readonly authChallenge: 'on-connect' | 'on-demand'
  readonly maxSubscriptions: number
  readonly maxSubidLength: number
  readonly maxEventTags: number
  readonly maxContentLength: number
  /** Live EVENTs to subscribers go out before the publisher's OK. */
  readonly fanoutBeforeOk: boolean
}

export const defaultSettings: Settings = {
  nip11: 'full',
  nip11Extras: false,
  count: 'serve',
  countAppliesLimit: false,
  countApproximateFlag: false,
  readCacheMs: 0,
  kindAllowlist: null,
  requireKinds: false,
  deletions: 'honour',
  deletionAuthorCheck: false,
  deletionSingleTarget: false,
  deletedResend: 'refuse',
  refusalPrefix: 'standard',
  spaceAfterColon: true,
  duplicateNotes: true,
  staleWrites: 'ack',
  maxLimit: 1000,
  defaultLimit: 500,
  notices: true,
  maxMessageLength: 524_288,
  clockWindow: null,
  auth: false,
  authChallenge: 'on-connect',
  maxSubscriptions: 64,
  maxSubidLength: 64,
  maxEventTags: 2000,
  maxContentLength: 131_072,
  fanoutBeforeOk: false,
}

/** Bounds that are not NIP-11 fields: the in-memory store and a slow reader's queue. */
export const storeCapacity = 100_000
export const maxBufferedBytes = 8 * 1024 * 1024
/** NIP-42: an AUTH event's created_at must be "close (e.g. within ~10 minutes)". */
export const authWindowSeconds = 600
