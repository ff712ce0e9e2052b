/** Channel scope of the origin profile (AP-SCOPE-*): which events belong to a channel. */

import type { NostrEvent } from './event.ts'
import { type Filter, matchFilter } from './filter.ts'
import { isChannelScopedKind, isGlobalOnlyKind } from './kinds.ts'

/**
 * The channel an event is scoped to, or null for global events. For global-only kinds
 * (personas among them) an `h` tag stays in the signed event but never scopes it.
 */
export function channelOf(event: Pick<NostrEvent, 'kind' | 'tags'>): string | null {
  if (isGlobalOnlyKind(event.kind)) return null
  const tag = event.tags.find((t) => t[0] === 'h' && typeof t[1] === 'string' && t[1] !== '')
  return tag ? (tag[1] as string) : null
}

export const MissingChannelRefusal = 'invalid: channel-scoped events must include an h tag'

/** Channel kinds must name their channel. */
export function checkChannelScope(event: Pick<NostrEvent, 'kind' | 'tags'>): { ok: true } | { ok: false; message: string } {
  if (isChannelScopedKind(event.kind) && channelOf(event) === null) {
    return { ok: false, message: MissingChannelRefusal }
  }
  return { ok: true }
}

/**
 * Whether a stored event may answer a filter with a `#h` condition. Matching on the raw
 * tag alone would leak global-only events into channel reads; the scope decides.
 */
export function visibleToChannelRead(event: Pick<NostrEvent, 'kind' | 'tags'>, channels: readonly string[]): boolean {
  const channel = channelOf(event)
  return channel !== null && channels.includes(channel)
}

/** NIP-01 matching with channel scope applied to `#h` conditions (origin profile). */
export function matchFilterInScope(filter: Filter, event: NostrEvent): boolean {
  if (!matchFilter(filter, event)) return false
  const channels = filter['#h']
  return channels === undefined || visibleToChannelRead(event, channels)
}
