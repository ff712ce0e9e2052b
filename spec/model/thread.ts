/** Channel threads of the origin profile (AP-THREAD-*): NIP-10 markers, depth, broadcast. */

import type { Filter } from './filter.ts'
import type { Tag } from './event.ts'

export const MaxThreadDepth = 100
export const ThreadQueryDefaultLimit = 100
export const ThreadQueryMaxLimit = 500

/** What an event's marked `e` tags claim: null when it is not a reply at all. */
export interface ThreadRefs {
  /** The root named by a `root` marker, or null when only `reply` was given. */
  claimedRoot: string | null
  /** The direct parent: the `reply` target, else the `root` target. */
  parent: string
}

/** Reads NIP-10 marked `e` tags (marker at index 3). Unmarked `e` tags are not thread refs. */
export function threadRefs(tags: readonly Tag[]): ThreadRefs | null {
  let root: string | null = null
  let reply: string | null = null
  for (const tag of tags) {
    if (tag[0] !== 'e' || typeof tag[1] !== 'string') continue
    if (tag[3] === 'root' && root === null) root = tag[1]
    if (tag[3] === 'reply' && reply === null) reply = tag[1]
  }
  if (reply !== null) return { claimedRoot: root, parent: reply }
  if (root !== null) return { claimedRoot: root, parent: root }
  return null
}

/** Stored thread facts of an event already accepted. */
export interface ThreadPosition {
  id: string
  channel: string | null
  /** The thread's root id; for a root itself, its own id. */
  root: string
  depth: number
}

export type ReplyCheck = { ok: true; root: string; depth: number } | { ok: false; message: string }

export const ThreadRefusals = {
  parentMissing: 'invalid: reply parent not found',
  otherChannel: 'invalid: reply parent is in another channel',
  rootMismatch: 'invalid: root tag does not match thread ancestry',
  tooDeep: 'invalid: thread depth limit exceeded',
} as const

/** Places a reply under its parent or says why it cannot be placed. */
export function placeReply(refs: ThreadRefs, channel: string | null, parent: ThreadPosition | undefined): ReplyCheck {
  if (parent === undefined) return { ok: false, message: ThreadRefusals.parentMissing }
  if (parent.channel !== channel) return { ok: false, message: ThreadRefusals.otherChannel }
  if (refs.claimedRoot !== null && refs.claimedRoot !== parent.root) {
    return { ok: false, message: ThreadRefusals.rootMismatch }
  }
  const depth = parent.depth + 1
  if (depth > MaxThreadDepth) return { ok: false, message: ThreadRefusals.tooDeep }
  return { ok: true, root: parent.root, depth }
}

/**
 * The origin relay's refusal texts for reply placement (crates/buzz-relay/src/handlers/ingest.rs):
 * same as the reference relay's except for the parent in another channel, which the origin
 * splits into two texts.
 */
export const OriginThreadRefusals = {
  parentMissing: ThreadRefusals.parentMissing,
  noChannel: 'invalid: parent event has no channel association',
  otherChannel: 'invalid: parent event belongs to a different channel',
  rootMismatch: ThreadRefusals.rootMismatch,
  tooDeep: ThreadRefusals.tooDeep,
} as const

const anyCaseHex64 = /^[0-9a-fA-F]{64}$/

/** An `e` tag the origin relay reads as marked: four or more elements, a 64-hex id, the marker at index 3. */
function originMarked(tag: readonly string[], marker: 'root' | 'reply'): string | null {
  if (tag.length < 4 || tag[0] !== 'e' || tag[3] !== marker || !anyCaseHex64.test(tag[1] ?? '')) return null
  return (tag[1] as string).toLowerCase()
}

/**
 * The origin relay's reading of NIP-10 markers: the last tag of each marker counts; a lone
 * `root` marker leaves the event top-level (null); a lone `reply` marker names both the
 * parent and the claimed root.
 */
export function originThreadRefs(tags: readonly Tag[]): ThreadRefs | null {
  let root: string | null = null
  let reply: string | null = null
  for (const tag of tags) {
    root = originMarked(tag, 'root') ?? root
    reply = originMarked(tag, 'reply') ?? reply
  }
  if (reply === null) return null
  return { claimedRoot: root ?? reply, parent: reply }
}

/**
 * The root the origin relay derives for a top-level parent from its own tags: its first
 * `root`-marked tag, else its first `reply`-marked tag, else itself (a reply to it then has
 * depth 1 when the root is itself, 2 otherwise).
 */
export function originRootOfTopLevel(event: { id: string; tags: readonly Tag[] }): string {
  for (const marker of ['root', 'reply'] as const) {
    for (const tag of event.tags) {
      const id = originMarked(tag, marker)
      if (id !== null) return id
    }
  }
  return event.id
}

/** Places a reply the origin relay's way: channel checks with its two texts, then root, then depth. */
export function placeReplyOrigin(refs: ThreadRefs, channel: string | null, parent: ThreadPosition | undefined): ReplyCheck {
  if (parent === undefined) return { ok: false, message: OriginThreadRefusals.parentMissing }
  if (parent.channel === null) return { ok: false, message: OriginThreadRefusals.noChannel }
  if (parent.channel !== channel) return { ok: false, message: OriginThreadRefusals.otherChannel }
  if (refs.claimedRoot !== parent.root) return { ok: false, message: OriginThreadRefusals.rootMismatch }
  const depth = parent.depth + 1
  if (depth > MaxThreadDepth) return { ok: false, message: OriginThreadRefusals.tooDeep }
  return { ok: true, root: parent.root, depth }
}

/** A reply is broadcast iff it carries a tag that is exactly `["broadcast","1"]`. */
export function isBroadcast(tags: readonly Tag[]): boolean {
  return tags.some((tag) => tag.length === 2 && tag[0] === 'broadcast' && tag[1] === '1')
}

/** Shown at top level: not a reply, or a depth-1 broadcast reply. Depth >= 2 never. */
export function isTopLevel(depth: number, broadcast: boolean): boolean {
  return depth === 0 || (depth === 1 && broadcast)
}

const hex64 = /^[0-9a-f]{64}$/

export interface ThreadQuery {
  root: string
  depthLimit: number
  limit: number
}

/**
 * Recognises the origin relay's thread extension of POST /query: an integer
 * `depth_limit` >= 0 and exactly one 64-hex `#e`. Anything else is an ordinary filter.
 */
export function threadQueryOf(filter: Filter & Record<string, unknown>): ThreadQuery | null {
  const depthLimit = filter.depth_limit
  const roots = filter['#e']
  if (typeof depthLimit !== 'number' || !Number.isSafeInteger(depthLimit) || depthLimit < 0) return null
  if (!Array.isArray(roots) || roots.length !== 1 || !hex64.test(roots[0] ?? '')) return null
  const requested = filter.limit ?? ThreadQueryDefaultLimit
  return { root: roots[0] as string, depthLimit, limit: Math.min(requested, ThreadQueryMaxLimit) }
}

export interface TopLevelQuery {
  channel: string
  limit: number
}

/** Recognises `"top_level": true` with exactly one `#h` value. */
export function topLevelQueryOf(filter: Filter & Record<string, unknown>): TopLevelQuery | null {
  const channels = filter['#h']
  if (filter.top_level !== true || !Array.isArray(channels) || channels.length !== 1) return null
  const requested = filter.limit ?? ThreadQueryDefaultLimit
  return { channel: channels[0] as string, limit: Math.min(requested, ThreadQueryMaxLimit) }
}

/**
 * The origin relay's thread query (crates/buzz-relay/src/api/bridge.rs): a `depth_limit`
 * that is a JSON integer >= 0 and exactly one `#e` value of 64 hex digits (either case).
 * Anything else is an ordinary filter, `depth_limit` ignored. The filter's other members
 * play no part.
 */
export function originThreadQueryOf(filter: Filter & Record<string, unknown>): ThreadQuery | null {
  const depthLimit = filter.depth_limit
  const roots = filter['#e']
  if (typeof depthLimit !== 'number' || !Number.isSafeInteger(depthLimit) || depthLimit < 0) return null
  if (!Array.isArray(roots) || roots.length !== 1 || !anyCaseHex64.test(roots[0] ?? '')) return null
  const requested = filter.limit ?? ThreadQueryDefaultLimit
  return { root: (roots[0] as string).toLowerCase(), depthLimit, limit: Math.min(requested, ThreadQueryMaxLimit) }
}

