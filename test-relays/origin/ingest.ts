// The write pipeline both doors share, in the origin's step order
// (crates/buzz-relay/src/handlers/ingest.rs `ingest_event`). Duplicate detection happens at
// storage, after every check.
import { adminEventError, applyAdminEvent, channelOfEvent, createGroupBeforeStorage, mayPostIn } from './channels.ts'
import type { DefectSet } from './defects.ts'
import { addressKey, applyDeletion, deletionAuthorError, deletionTargetIds, singleTargetError, type Tombstones } from './deletion.ts'
import { verificationError, type NostrEvent } from './event.ts'
import {
  isAddressableKind, isChannelAdminKind, isGlobalOnlyKind, isKnownKind, isRelayOnlyKind, isReplaceableKind,
  isUnmodelledKind, KIND, requiresChannel,
} from './kinds.ts'
import { CLOCK_WINDOW_SECONDS, MAX_CONTENT_BYTES, MAX_D_TAG_BYTES } from './limits.ts'
import { personaContentIsJsonObject, personaEnvelopeError } from './persona.ts'
import { extractDTag, reactionEmoji, reactionTarget, type Store, type StoredEvent, type ThreadRecord } from './store.ts'
import { recordThread, resolveThread } from './threads.ts'

const MAX_REACTION_EMOJI_CHARS = 64

export type Door = 'ws' | 'http'

export type IngestOutcome =
  /** Not a refusal (accepted, or `accepted:false` for a channel or reaction that already exists). */
  | { kind: 'result'; eventId: string; accepted: boolean; message: string }
  /** WS: OK false; HTTP: 400. */
  | { kind: 'rejected'; message: string }
  /** WS: OK false; HTTP: 403. */
  | { kind: 'auth-failed'; message: string }

export interface IngestContext {
  readonly store: Store
  readonly defects: DefectSet
  readonly tombstones: Tombstones
  readonly now: () => number
  readonly fanOut: (stored: StoredEvent) => void
}

const rejected = (message: string): IngestOutcome => ({ kind: 'rejected', message })

function kind11Accepted(kind: number, defects: DefectSet): boolean {
  return kind === 11 && defects.has('kind11-accepted')
}

function needsChannel(kind: number, defects: DefectSet): boolean {
  return requiresChannel(kind) || kind11Accepted(kind, defects)
}

/** The channel an event is written to, or a refusal (steps 5 and 5b). */
function resolveChannel(event: NostrEvent, ctx: IngestContext): { channelId: string | null } | IngestOutcome {
  const { store, defects } = ctx
  let channelId: string | null
  if (event.kind === KIND.reaction) {
    const target = reactionTarget(event)
    if (target === null) return rejected('invalid: reaction must reference a target event via e tag')
    const stored = store.getLive(target)
    if (!stored) return rejected('invalid: reaction target event not found')
    channelId = stored.channelId
  } else if (event.kind === KIND.giftWrap) {
    channelId = null
  } else if (event.kind === KIND.deletion) {
    const first = deletionTargetIds(event)[0]
    channelId = first === undefined ? null : (store.getLive(first)?.channelId ?? null)
  } else {
    channelId = channelOfEvent(event)
    if (channelId === null && defects.has('non-uuid-channel') && needsChannel(event.kind, defects)) {
      const raw = event.tags.find((t) => t[0] === 'h' && t.length >= 2 && t[1] !== '')?.[1]
      if (raw !== undefined) {
        store.createChannel(raw, raw, 'open', event.pubkey)
        channelId = raw
      }
    }
  }
  if (isGlobalOnlyKind(event.kind) && !(event.kind === KIND.persona && defects.has('persona-h-scoped'))) channelId = null
  return { channelId }
}

export function ingestEvent(event: NostrEvent, author: string, door: Door, ctx: IngestContext): IngestOutcome {
  const { store, defects } = ctx
  const kind = event.kind
  const duplicate = (): IngestOutcome => ({
    kind: 'result',
    eventId: event.id,
    accepted: true,
    message: defects.has('duplicate-with-text') ? 'duplicate: already have this event' : 'duplicate:',
  })
  if (defects.has('duplicate-before-checks') && store.getIncludingDeleted(event.id)) return duplicate()

  // 1. Kinds nobody may submit.
  if (kind === KIND.auth) return rejected('invalid: AUTH events cannot be submitted')
  if (kind === KIND.memberAddedNotification || kind === KIND.memberRemovedNotification) {
    return rejected('invalid: membership notifications are relay-signed only')
  }
  if (door === 'http' && (kind === KIND.giftWrap || kind === KIND.presence)) {
    return rejected(`invalid: kind ${kind} is only accepted via WebSocket`)
  }
  if (isRelayOnlyKind(kind)) return rejected('restricted: relay-only kind')

  // 2. Signature, clock, size.
  const badSignature = verificationError(event)
  if (badSignature !== null) return rejected(`invalid: ${badSignature}`)
  const window = defects.has('clock-window-600') ? 600 : CLOCK_WINDOW_SECONDS
  if (Math.abs(event.created_at - ctx.now()) > window) return rejected('invalid: event timestamp too far from server time')
  const contentBytes = Buffer.byteLength(event.content, 'utf8')
  if (contentBytes > MAX_CONTENT_BYTES) {
    return rejected(`invalid: content exceeds maximum size of ${MAX_CONTENT_BYTES} bytes (got ${contentBytes})`)
  }

  // 3. One connection (or request) writes for one author; gift wraps are exempt.
  if (event.pubkey !== author && kind !== KIND.giftWrap && !defects.has('pubkey-mismatch-accepted')) {
    return { kind: 'auth-failed', message: 'invalid: event pubkey does not match authenticated identity' }
  }

  // 4. Known kinds only.
  if (!isKnownKind(kind) && !kind11Accepted(kind, defects)) return rejected('restricted: unknown event kind')
  if (isUnmodelledKind(kind)) return rejected(`error: kind ${kind} is handled by an origin subsystem this test relay does not model`)

  // 5-8. Channel, `h` requirement, membership.
  const resolved = resolveChannel(event, ctx)
  if ('kind' in resolved) return resolved
  const { channelId } = resolved
  if (needsChannel(kind, defects) && channelId === null) return rejected('invalid: channel-scoped events must include an h tag')
  if (channelId !== null && kind !== KIND.joinRequest && kind !== KIND.createGroup && !mayPostIn(store, channelId, event.pubkey)) {
    return rejected('restricted: not a channel member')
  }

  // 9. Kind-specific validation.
  if (kind === KIND.nip43Leave) return rejected('invalid: relay membership is not enabled')
  if (isChannelAdminKind(kind)) {
    const err = adminEventError(event, store)
    if (err !== null) return rejected(`invalid: ${err}`)
  }
  if (kind === KIND.deletion) {
    const err = deletionAuthorError(event, store)
    if (err !== null) return rejected(`invalid: ${err}`)
  }
  if (channelId !== null && store.channel(channelId)?.archived) {
    const unarchive = kind === KIND.editMetadata && event.tags.some((t) => t.length >= 2 && t[0] === 'archived' && t[1] === 'false')
    if (!unarchive) return rejected('invalid: channel is archived')
  }
  if (kind === KIND.deleteEvent || (kind === KIND.deletion && !defects.has('deletion-two-targets'))) {
    const err = singleTargetError(event)
    if (err !== null) return rejected(err)
  }
  if (kind === KIND.persona) {
    const err = personaEnvelopeError(event)
    if (err !== null) return rejected(err)
    if (defects.has('persona-content-checked') && !personaContentIsJsonObject(event)) {
      return rejected('invalid: persona content must be a JSON object')
    }
  }
  if (kind === KIND.createGroup) {
    const created = createGroupBeforeStorage(event, channelId, store)
    if (created.kind === 'refused') return rejected(created.message)
    if (created.kind === 'exists') return { kind: 'result', eventId: event.id, accepted: false, message: 'duplicate: channel already exists' }
  }
  if (kind === KIND.joinRequest) {
    if (channelId === null) return rejected('invalid: join request must include an h tag')
    const channel = store.channel(channelId)
    if (!channel) return rejected('invalid: channel not found')
    if (channel.visibility === 'private') return rejected('restricted: channel is private')
  }

  // 19. Threads.
  let thread: ThreadRecord | null = null
  if (needsChannel(kind, defects) && channelId !== null) {
    const resolution = resolveThread(event, channelId, store, defects)
    if (!resolution.ok) return rejected(`invalid: ${resolution.error}`)
    thread = resolution.record
  }

  if (kind === KIND.profile) {
    try {
      JSON.parse(event.content)
    } catch {
      return rejected('invalid: kind:0 content must be valid JSON')
    }
  }
  if (kind === KIND.reaction) {
    const emoji = reactionEmoji(event)
    const chars = [...emoji].length
    if (chars > MAX_REACTION_EMOJI_CHARS) {
      return rejected(`invalid: reaction emoji exceeds ${MAX_REACTION_EMOJI_CHARS} characters (got ${chars})`)
    }
    if (!store.addReaction(reactionTarget(event) as string, event.pubkey, emoji)) {
      return { kind: 'result', eventId: event.id, accepted: false, message: 'duplicate: reaction already exists' }
    }
  }

  // 20. Storage.
  const dTag = extractDTag(event)
  if (dTag !== null && Buffer.byteLength(dTag, 'utf8') > MAX_D_TAG_BYTES) {
    return rejected(`invalid: d tag too long (${Buffer.byteLength(dTag, 'utf8')} bytes, max ${MAX_D_TAG_BYTES})`)
  }
  const existing = store.getIncludingDeleted(event.id)
  if (existing?.deleted && defects.has('deleted-resend-restores')) {
    existing.deleted = false
    ctx.fanOut(existing)
    return { kind: 'result', eventId: event.id, accepted: true, message: '' }
  }
  if (dTag !== null && defects.has('deletion-tombstone')) {
    const deletedAt = ctx.tombstones.byAddress.get(addressKey(kind, event.pubkey, dTag))
    if (deletedAt !== undefined && event.created_at <= deletedAt) return rejected('blocked: address was deleted')
  }
  if (!existing && store.isFull()) return rejected('error: relay storage is full')

  const stored: StoredEvent = { event, channelId, dTag, deleted: false }
  let inserted: boolean
  if (isReplaceableKind(kind) || isAddressableKind(kind)) {
    const sameSlot = isReplaceableKind(kind)
      ? (s: StoredEvent) => s.event.kind === kind && s.event.pubkey === event.pubkey && s.channelId === channelId
      : (s: StoredEvent) => s.event.kind === kind && s.event.pubkey === event.pubkey && s.dTag === dTag
    const head = store.head(sameSlot)
    const loses = head !== undefined &&
      (event.created_at < head.event.created_at || (event.created_at === head.event.created_at && event.id >= head.event.id))
    if (loses || existing) return duplicate()
    store.softDeleteWhere(sameSlot)
    inserted = store.insert(stored)
  } else {
    inserted = store.insert(stored)
  }
  if (kind === KIND.reaction) {
    // The origin answers a reaction whose row was new as accepted even when the event id existed.
    if (inserted) ctx.fanOut(stored)
    return { kind: 'result', eventId: event.id, accepted: true, message: '' }
  }
  if (!inserted) return duplicate()

  if (thread !== null) recordThread(store, event.id, thread)
  if (kind === KIND.deletion) applyDeletion(event, store, defects, ctx.tombstones)
  if (isChannelAdminKind(kind)) applyAdminEvent(event, store)
  ctx.fanOut(stored)
  return { kind: 'result', eventId: event.id, accepted: true, message: '' }
}
