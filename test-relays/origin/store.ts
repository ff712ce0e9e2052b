// In-memory state: events with soft deletion, thread records, channels and members, reactions.
// It plays the part of the origin's Postgres tables (crates/buzz-db).
import { isAddressableKind } from './kinds.ts'
import type { NostrEvent } from './event.ts'

export interface StoredEvent {
  readonly event: NostrEvent
  readonly channelId: string | null
  /** First `d` value (or "") for addressable kinds, else null: the origin's `d_tag` column. */
  readonly dTag: string | null
  deleted: boolean
}

export interface ThreadRecord {
  readonly channelId: string
  readonly parentId: string | null
  readonly rootId: string | null
  readonly depth: number
  readonly broadcast: boolean
}

export type Visibility = 'open' | 'private'
export type MemberRole = 'owner' | 'admin' | 'member' | 'guest' | 'bot'

export interface Channel {
  readonly id: string
  name: string
  visibility: Visibility
  archived: boolean
  deleted: boolean
  readonly members: Map<string, MemberRole>
}

/** Relays in tests hold little; the bound keeps a runaway writer from eating the machine. */
export const DEFAULT_MAX_EVENTS = 200_000

export function extractDTag(event: NostrEvent): string | null {
  if (!isAddressableKind(event.kind)) return null
  return event.tags.find((t) => t.length >= 2 && t[0] === 'd')?.[1] ?? ''
}

export class Store {
  private readonly events = new Map<string, StoredEvent>()
  private readonly threads = new Map<string, ThreadRecord>()
  private readonly channels = new Map<string, Channel>()
  private readonly reactions = new Set<string>()

  constructor(readonly maxEvents: number = DEFAULT_MAX_EVENTS) {}

  get size(): number {
    return this.events.size
  }

  isFull(): boolean {
    return this.events.size >= this.maxEvents
  }

  /** Live or deleted: the id is taken either way (insert conflicts on it). */
  getIncludingDeleted(id: string): StoredEvent | undefined {
    return this.events.get(id)
  }

  getLive(id: string): StoredEvent | undefined {
    const s = this.events.get(id)
    return s && !s.deleted ? s : undefined
  }

  /** false when the id is already stored (live or deleted). */
  insert(stored: StoredEvent): boolean {
    if (this.events.has(stored.event.id)) return false
    this.events.set(stored.event.id, stored)
    return true
  }

  all(): IterableIterator<StoredEvent> {
    return this.events.values()
  }

  /** Newest live event for a replacement key, ties lowest id first. */
  head(match: (s: StoredEvent) => boolean): StoredEvent | undefined {
    let best: StoredEvent | undefined
    for (const s of this.events.values()) {
      if (s.deleted || !match(s)) continue
      if (!best || compareNewestFirst(s, best) < 0) best = s
    }
    return best
  }

  softDeleteWhere(match: (s: StoredEvent) => boolean): number {
    let n = 0
    for (const s of this.events.values()) {
      if (!s.deleted && match(s)) {
        s.deleted = true
        n += 1
      }
    }
    return n
  }

  thread(id: string): ThreadRecord | undefined {
    return this.threads.get(id)
  }

  /** Insert-if-absent, like the origin's `ON CONFLICT DO NOTHING`. */
  addThread(id: string, record: ThreadRecord): void {
    if (!this.threads.has(id)) this.threads.set(id, record)
  }

  threadEntries(): IterableIterator<[string, ThreadRecord]> {
    return this.threads.entries()
  }

  channel(id: string): Channel | undefined {
    const c = this.channels.get(id)
    return c && !c.deleted ? c : undefined
  }

  /** false when a channel with this id already exists (deleted ones included). */
  createChannel(id: string, name: string, visibility: Visibility, owner: string): boolean {
    if (this.channels.has(id)) return false
    this.channels.set(id, { id, name, visibility, archived: false, deleted: false, members: new Map([[owner, 'owner']]) })
    return true
  }

  isMember(channelId: string, pubkey: string): boolean {
    return this.channel(channelId)?.members.has(pubkey) ?? false
  }

  /** Channels a reader may see: member of, or open. */
  accessibleChannels(pubkey: string): Set<string> {
    const out = new Set<string>()
    for (const c of this.channels.values()) {
      if (!c.deleted && (c.visibility === 'open' || c.members.has(pubkey))) out.add(c.id)
    }
    return out
  }

  /** false when this (target, actor, emoji) reaction already exists. */
  addReaction(target: string, actor: string, emoji: string): boolean {
    const key = reactionKey(target, actor, emoji)
    if (this.reactions.has(key)) return false
    this.reactions.add(key)
    return true
  }

  /** Drops the reaction row of a deleted kind 7 event. */
  removeReactionEvent(event: NostrEvent): void {
    const target = reactionTarget(event)
    if (target) this.reactions.delete(reactionKey(target, event.pubkey, reactionEmoji(event)))
  }
}

/** created_at descending, then id ascending: the origin's read and replacement order. */
export function compareNewestFirst(a: StoredEvent, b: StoredEvent): number {
  if (a.event.created_at !== b.event.created_at) return b.event.created_at - a.event.created_at
  return a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0
}

function reactionKey(target: string, actor: string, emoji: string): string {
  return `${target}\u0000${actor}\u0000${emoji}`
}

/** NIP-25: the last `e` tag holding a 64-hex id. */
export function reactionTarget(event: NostrEvent): string | null {
  for (let i = event.tags.length - 1; i >= 0; i--) {
    const t = event.tags[i] as string[]
    if (t[0] === 'e' && t.length >= 2 && /^[0-9a-fA-F]{64}$/.test(t[1] as string)) return (t[1] as string).toLowerCase()
  }
  return null
}

export function reactionEmoji(event: NostrEvent): string {
  return event.content === '' ? '+' : event.content
}
