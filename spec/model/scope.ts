/** Channel scope of the origin profile (AP-SCOPE-*): which events belong to a channel. */

import type { NostrEvent } from './event.ts'
import { type Filter, matchFilter } from './filter.ts'
import { isChannelScopedKind, isGlobalOnlyKind, isOriginChannelKind } from './kinds.ts'
import { parseUuid } from './uuid.ts'

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

/**
 * The origin relay's channel of an event (crates/buzz-relay/src/handlers/ingest.rs): the
 * first `h` value that parses as a UUID, in canonical form; null for global-only kinds and
 * for events whose `h` values name no UUID.
 */
export function originChannelOf(event: Pick<NostrEvent, 'kind' | 'tags'>): string | null {
  if (isGlobalOnlyKind(event.kind)) return null
  for (const tag of event.tags) {
    if (tag[0] !== 'h' || typeof tag[1] !== 'string') continue
    const channel = parseUuid(tag[1])
    if (channel !== null) return channel
  }
  return null
}

/** Origin channel kinds must name a UUID channel; the text is the same as the reference relay's. */
export function checkChannelScopeOrigin(event: Pick<NostrEvent, 'kind' | 'tags'>): { ok: true } | { ok: false; message: string } {
  if (isOriginChannelKind(event.kind) && originChannelOf(event) === null) return { ok: false, message: MissingChannelRefusal }
  return { ok: true }
}
