// Channels (NIP-29 style groups keyed by UUID) and the admin kinds 9000-9022, after
// crates/buzz-relay/src/handlers/side_effects.rs `validate_admin_event` and its handlers, and
// crates/buzz-db/src/channel.rs. Relay-signed by-products (system messages, group discovery
// events, membership notifications) are not emitted.
import { randomUUID } from 'node:crypto'
import { firstTagValue, isHex, type NostrEvent } from './event.ts'
import { KIND } from './kinds.ts'
import type { MemberRole, Store, Visibility } from './store.ts'
import { parseUuid } from './uuid.ts'

const ROLES: readonly MemberRole[] = ['owner', 'admin', 'member', 'guest', 'bot']

function isRole(s: string): s is MemberRole {
  return (ROLES as readonly string[]).includes(s)
}

function isElevated(role: MemberRole | undefined): boolean {
  return role === 'owner' || role === 'admin'
}

/** First `h` tag whose value parses as a UUID (the origin's `extract_channel_id`). */
export function channelOfEvent(event: NostrEvent): string | null {
  for (const t of event.tags) {
    if (t[0] === 'h' && t.length >= 2) {
      const id = parseUuid(t[1] as string)
      if (id) return id
    }
  }
  return null
}

/** First `p` value that decodes to 32 bytes. */
function firstPTag(event: NostrEvent): string | null {
  const t = event.tags.find((x) => x[0] === 'p' && x.length >= 2 && isHex(x[1] as string, 64))
  return t ? (t[1] as string).toLowerCase() : null
}

/** Member, or the channel is open (`check_channel_membership`). */
export function mayPostIn(store: Store, channelId: string, pubkey: string): boolean {
  const c = store.channel(channelId)
  return c !== undefined && (c.members.has(pubkey) || c.visibility === 'open')
}

function ownerCount(members: Map<string, MemberRole>): number {
  let n = 0
  for (const r of members.values()) if (r === 'owner') n += 1
  return n
}

const METADATA_TAGS = ['name', 'about', 'archived', 'topic', 'purpose', 'visibility', 'ttl']
const PRIVILEGED_TAGS = ['name', 'about', 'archived', 'visibility', 'ttl']

function editMetadataError(event: NostrEvent, members: Map<string, MemberRole>): string | null {
  if (!event.tags.some((t) => METADATA_TAGS.includes(t[0] as string))) {
    return 'kind:9002 must include at least one metadata tag (name, about, archived, topic, purpose, visibility, ttl)'
  }
  for (const t of event.tags.filter((x) => x[0] === 'archived')) {
    const v = t[1]
    if (v === undefined) return 'archived tag must have a value'
    if (v !== 'true' && v !== 'false') return `invalid archived value: ${v} (must be "true" or "false")`
  }
  for (const t of event.tags.filter((x) => x[0] === 'visibility')) {
    const v = t[1]
    if (v === undefined) return 'visibility tag must have a value'
    if (v !== 'open' && v !== 'private') return `invalid visibility value: ${v} (must be "open" or "private")`
  }
  for (const t of event.tags.filter((x) => x[0] === 'ttl')) {
    const v = t[1]
    if (v === undefined) return 'ttl tag must have a value (seconds, or empty string to clear)'
    if (v !== '' && !(/^[+-]?\d+$/.test(v) && Number(v) > 0 && Number(v) <= 2 ** 31 - 1)) {
      return `invalid ttl value: ${v} (must be a positive integer of seconds, or empty to clear)`
    }
  }
  const role = members.get(event.pubkey)
  if (event.tags.some((t) => PRIVILEGED_TAGS.includes(t[0] as string))) {
    return isElevated(role) ? null : 'actor not authorized for name/about/archived/visibility/ttl changes'
  }
  return role !== undefined ? null : 'not a member'
}

/** `validate_admin_event`: the refusal without its `invalid: ` prefix, or null. */
export function adminEventError(event: NostrEvent, store: Store): string | null {
  const kind = event.kind
  if (kind === KIND.createGroup) return null
  const channelId = channelOfEvent(event)
  if (channelId === null) return 'missing or invalid h tag'
  const channel = store.channel(channelId)
  if (!channel) return 'channel not found'
  const unarchive = kind === KIND.editMetadata && event.tags.some((t) => t.length >= 2 && t[0] === 'archived' && t[1] === 'false')
  if (channel.archived && !unarchive) return 'channel is archived'
  const actor = event.pubkey
  const actorRole = channel.members.get(actor)
  switch (kind) {
    case KIND.putUser: {
      const role = firstTagValue(event, 'role') ?? 'member'
      if (!isRole(role)) return `invalid role: ${role}`
      if (channel.visibility === 'private') {
        if (actorRole === undefined) return 'actor not authorized'
        if (isElevated(role) && !isElevated(actorRole)) return 'only owners/admins may grant elevated roles'
      }
      return firstPTag(event) === null ? 'missing p tag' : null
    }
    case KIND.removeUser: {
      const target = firstPTag(event)
      if (target === null) return 'missing p tag'
      if (target === actor) {
        if (actorRole === undefined) return 'actor is not an active member'
        if (actorRole === 'owner' && ownerCount(channel.members) <= 1) return 'cannot remove the last owner'
        return null
      }
      return isElevated(actorRole) ? null : 'actor not authorized'
    }
    case KIND.editMetadata:
      return editMetadataError(event, channel.members)
    case KIND.deleteEvent: {
      const idHex = event.tags.find((t) => t[0] === 'e' && t.length >= 2 && /^([0-9a-fA-F]{2})*$/.test(t[1] as string))?.[1]
      if (idHex === undefined) return 'missing e tag for target event'
      const target = store.getLive(idHex.toLowerCase())
      if (!target) return 'target event not found'
      if (target.channelId === null) return 'target event has no channel'
      if (target.channelId !== channelId) return 'target event belongs to a different channel'
      if (target.event.pubkey === actor || isElevated(actorRole)) return null
      return 'must be event author or channel owner/admin'
    }
    case KIND.deleteGroup:
      return actorRole === 'owner' ? null : 'only owner can delete group'
    case KIND.leaveRequest:
      if (actorRole === undefined) return 'actor is not an active member'
      if (actorRole === 'owner' && ownerCount(channel.members) <= 1) return 'cannot remove the last owner'
      return null
    default:
      return null
  }
}

export type CreateGroupOutcome = { kind: 'refused'; message: string } | { kind: 'exists' } | { kind: 'created'; channelId: string | null }

/** Step 16 of the ingest pipeline: a kind 9007 with a UUID `h` creates that channel before storage. */
export function createGroupBeforeStorage(event: NostrEvent, channelId: string | null, store: Store): CreateGroupOutcome {
  const name = firstTagValue(event, 'name')
  if (name === undefined || name.trim() === '') return { kind: 'refused', message: 'invalid: channel name is required' }
  const visibility = firstTagValue(event, 'visibility') ?? 'open'
  const channelType = firstTagValue(event, 'channel_type') ?? 'stream'
  if (visibility !== 'open' && visibility !== 'private') return { kind: 'refused', message: `invalid visibility: ${visibility}` }
  if (!['stream', 'forum', 'dm', 'workflow'].includes(channelType)) return { kind: 'refused', message: `invalid channel_type: ${channelType}` }
  if (channelId === null) return { kind: 'created', channelId: null }
  if (!store.createChannel(channelId, name, visibility as Visibility, event.pubkey)) return { kind: 'exists' }
  return { kind: 'created', channelId }
}

/** Effects of a stored admin event on channels and members. */
export function applyAdminEvent(event: NostrEvent, store: Store): void {
  const channelId = channelOfEvent(event)
  const actor = event.pubkey
  switch (event.kind) {
    case KIND.createGroup: {
      if (channelId === null) {
        const name = firstTagValue(event, 'name') ?? ''
        const visibility = (firstTagValue(event, 'visibility') ?? 'open') as Visibility
        store.createChannel(randomUUID(), name, visibility, actor)
      }
      return
    }
    case KIND.putUser: {
      const target = firstPTag(event)
      const role = firstTagValue(event, 'role') ?? 'member'
      if (channelId && target && isRole(role)) store.channel(channelId)?.members.set(target, role)
      return
    }
    case KIND.removeUser: {
      const target = firstPTag(event)
      if (channelId && target) store.channel(channelId)?.members.delete(target)
      return
    }
    case KIND.editMetadata: {
      const channel = channelId ? store.channel(channelId) : undefined
      if (!channel) return
      const name = firstTagValue(event, 'name')
      if (name !== undefined) channel.name = name
      const visibility = firstTagValue(event, 'visibility')
      if (visibility === 'open' || visibility === 'private') channel.visibility = visibility
      const archived = firstTagValue(event, 'archived')
      if (archived === 'true') channel.archived = true
      if (archived === 'false') channel.archived = false
      return
    }
    case KIND.deleteEvent: {
      const idHex = event.tags.find((t) => t[0] === 'e' && t.length >= 2 && isHex(t[1] as string, 64))?.[1]
      const target = idHex ? store.getIncludingDeleted(idHex.toLowerCase()) : undefined
      if (target && target.channelId === channelId) target.deleted = true
      return
    }
    case KIND.deleteGroup: {
      const channel = channelId ? store.channel(channelId) : undefined
      if (channel) channel.deleted = true
      return
    }
    case KIND.joinRequest: {
      const channel = channelId ? store.channel(channelId) : undefined
      if (channel && channel.visibility === 'open' && !channel.members.has(actor)) channel.members.set(actor, 'member')
      return
    }
    case KIND.leaveRequest: {
      if (channelId) store.channel(channelId)?.members.delete(actor)
      return
    }
  }
}
