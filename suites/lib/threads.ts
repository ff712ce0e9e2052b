/** Channel messages and the bridge's thread reads, for the origin-profile thread cases. */

import { type CaseContext, type KeyPair, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent, Tag } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { ChannelMessageKind } from '../../spec/model/kinds.ts'

export interface MessageOptions {
  /** `["e", root, "", "root"]`. */
  root?: string
  /** `["e", parent, "", "reply"]`. */
  reply?: string
  /** Appended after the marked tags. */
  tags?: Tag[]
  created_at?: number
  keys?: KeyPair
  content?: string
  /** The `h` value as written (default: the channel as given). */
  h?: string
}

/** A signed kind 9 channel message in `channel`, with NIP-10 marked e tags (marker at index 3). */
export function channelMessage(c: CaseContext, channel: string, options: MessageOptions = {}): NostrEvent {
  const tags: Tag[] = [['h', options.h ?? channel]]
  if (options.root !== undefined) tags.push(['e', options.root, '', 'root'])
  if (options.reply !== undefined) tags.push(['e', options.reply, '', 'reply'])
  tags.push(...(options.tags ?? []))
  return c.sign(
    { kind: ChannelMessageKind, tags, content: options.content ?? 'channel message', ...(options.created_at !== undefined ? { created_at: options.created_at } : {}) },
    options.keys,
  )
}

/** An id no relay holds: the id of an event that is signed and never published. */
export function ghostId(c: CaseContext, channel: string): string {
  return c.sign({ kind: ChannelMessageKind, content: `never published ${Math.random()}`, tags: [['h', channel]] }).id
}

/** POST /query with these filters; the answer must be 200 and a JSON array of events. */
export async function bridgeQuery(c: CaseContext, filters: ReadonlyArray<Filter | (Filter & Record<string, unknown>)>, what: string): Promise<NostrEvent[]> {
  const reply = await c.http.post('/query', filters)
  if (reply.status !== 200) violation(`${what}: POST /query answered ${reply.status} ${reply.text.slice(0, 200)}`)
  if (!Array.isArray(reply.json)) violation(`${what}: POST /query answered 200 with a body that is not a JSON array: ${reply.text.slice(0, 200)}`)
  return reply.json as NostrEvent[]
}

/**
 * Replies under `root` up to `depthLimit`, through the thread extension of POST /query. The
 * filter names kind 9 (every reply the cases make) so that it passes the origin's gate on
 * kindless filters; the origin ignores it.
 */
export function threadQuery(c: CaseContext, root: string, depthLimit: number, extra: Record<string, unknown> = {}): Promise<NostrEvent[]> {
  return bridgeQuery(c, [{ kinds: [ChannelMessageKind], '#e': [root], depth_limit: depthLimit, ...extra }], `the thread query of ${root.slice(0, 12)} with depth_limit ${depthLimit}`)
}

export function ids(events: readonly NostrEvent[]): string[] {
  return events.map((e) => e.id)
}

/** Ids in a canonical order, for comparisons where the relay promises no order. */
export function sortedIds(events: readonly NostrEvent[]): string[] {
  return ids(events).sort()
}

/** Whether two answers hold the same events, repeats counted, in any order. */
export function sameEvents(got: readonly NostrEvent[], want: readonly NostrEvent[]): boolean {
  return sortedIds(got).join() === sortedIds(want).join()
}
