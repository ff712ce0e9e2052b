/**
 * Thread placement of an incoming channel message (AP-THREAD-*): the stateful half of the
 * thread rules, given a way to look up already-stored events.
 */

import type { NostrEvent } from './event.ts'
import { ChannelMessageKind, isOriginChannelKind } from './kinds.ts'
import { channelOf, originChannelOf } from './scope.ts'
import { isBroadcast, originRootOfTopLevel, originThreadRefs, placeReply, placeReplyOrigin, type ThreadPosition, threadRefs } from './thread.ts'
import type { ThreadedEvent, ThreadMeta } from './thread-query.ts'

export type ThreadPlacement = { ok: true; thread: ThreadMeta | null } | { ok: false; message: string }

/**
 * Where a stored event sits for a reply naming it as parent. A channel message carries its
 * stored facts; any other stored event is taken as a root in its own scope (a global event
 * has channel null, so a channel reply to it is refused as being in another channel).
 */
export function threadPositionOf(stored: ThreadedEvent): ThreadPosition {
  const { event, thread } = stored
  if (thread !== null) return { id: event.id, channel: channelOf(event), root: thread.root, depth: thread.depth }
  return { id: event.id, channel: channelOf(event), root: event.id, depth: 0 }
}

/** Whether an event gets thread facts at all: kind 9 scoped to a channel. */
export function isThreadedMessage(event: Pick<NostrEvent, 'kind' | 'tags'>): boolean {
  return event.kind === ChannelMessageKind && channelOf(event) !== null
}

/**
 * Thread facts for an event about to be stored, or the refusal. Events that are not
 * channel messages get `thread: null`; a channel message without marked `e` tags is a root.
 */
export function placeChannelMessage(event: NostrEvent, findStored: (id: string) => ThreadedEvent | undefined): ThreadPlacement {
  if (!isThreadedMessage(event)) return { ok: true, thread: null }
  const broadcast = isBroadcast(event.tags)
  const refs = threadRefs(event.tags)
  if (refs === null) return { ok: true, thread: { root: event.id, parent: null, depth: 0, broadcast } }
  const parent = findStored(refs.parent)
  const placed = placeReply(refs, channelOf(event), parent === undefined ? undefined : threadPositionOf(parent))
  if (!placed.ok) return placed
  return { ok: true, thread: { root: placed.root, parent: refs.parent, depth: placed.depth, broadcast } }
}

/**
 * Where a stored event sits for a reply naming it, the origin relay's way: a reply carries
 * its recorded root and depth; a top-level event takes its root from its own tags
 * (originRootOfTopLevel) and counts as depth 0 when that root is itself, 1 otherwise.
 */
export function originThreadPositionOf(stored: ThreadedEvent): ThreadPosition {
  const { event, thread } = stored
  const channel = originChannelOf(event)
  if (thread !== null && thread.parent !== null) return { id: event.id, channel, root: thread.root, depth: thread.depth }
  const root = originRootOfTopLevel(event)
  return { id: event.id, channel, root, depth: root === event.id ? 0 : 1 }
}

/**
 * Thread facts the origin relay's way (crates/buzz-relay/src/handlers/ingest.rs): every
 * origin channel kind in a UUID channel is placed; a top-level message is recorded as its
 * own root at depth 0.
 */
export function placeChannelMessageOrigin(event: NostrEvent, findStored: (id: string) => ThreadedEvent | undefined): ThreadPlacement {
  const channel = originChannelOf(event)
  if (!isOriginChannelKind(event.kind) || channel === null) return { ok: true, thread: null }
  const broadcast = isBroadcast(event.tags)
  const refs = originThreadRefs(event.tags)
  if (refs === null) return { ok: true, thread: { root: event.id, parent: null, depth: 0, broadcast } }
  const parent = findStored(refs.parent)
  const placed = placeReplyOrigin(refs, channel, parent === undefined ? undefined : originThreadPositionOf(parent))
  if (!placed.ok) return placed
  return { ok: true, thread: { root: placed.root, parent: refs.parent, depth: placed.depth, broadcast } }
}
