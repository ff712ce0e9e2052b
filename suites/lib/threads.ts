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
  broadcast?: boolean
  /** Appended after the marked tags. */
  tags?: Tag[]
  created_at?: number
  keys?: KeyPair
  content?: string
}

/** A signed kind 9 channel message in `channel`, with NIP-10 marked e tags at index 3. */
export function channelMessage(c: CaseContext, channel: string, options: MessageOptions = {}): NostrEvent {
  const tags: Tag[] = [['h', channel]]
  if (options.root !== undefined) tags.push(['e', options.root, '', 'root'])
  if (options.reply !== undefined) tags.push(['e', options.reply, '', 'reply'])
  if (options.broadcast) tags.push(['broadcast', '1'])
  tags.push(...(options.tags ?? []))
  return c.sign(
    { kind: ChannelMessageKind, tags, content: options.content ?? 'channel message', ...(options.created_at !== undefined ? { created_at: options.created_at } : {}) },
    options.keys,
  )
}

/** POST /query with these filters; the answer must be 200 and a JSON array of events. */
export async function bridgeQuery(c: CaseContext, filters: Array<Filter & Record<string, unknown>>, what: string): Promise<NostrEvent[]> {
  const reply = await c.http.post('/query', filters)
  if (reply.status !== 200) violation(`${what}: POST /query answered ${reply.status} ${reply.text.slice(0, 200)}`)
  if (!Array.isArray(reply.json)) violation(`${what}: POST /query answered 200 with a body that is not a JSON array: ${reply.text.slice(0, 200)}`)
  return reply.json as NostrEvent[]
}

/** Replies under `root` up to `depthLimit`, through the thread extension of POST /query. */
export function threadQuery(c: CaseContext, root: string, depthLimit: number, extra: Record<string, unknown> = {}): Promise<NostrEvent[]> {
  return bridgeQuery(c, [{ '#e': [root], depth_limit: depthLimit, ...extra }], `the thread query of ${root.slice(0, 12)} with depth_limit ${depthLimit}`)
}

/** The channel's top-level feed through the top_level extension of POST /query. */
export function topLevelQuery(c: CaseContext, channel: string, extra: Record<string, unknown> = {}): Promise<NostrEvent[]> {
  return bridgeQuery(c, [{ '#h': [channel], top_level: true, ...extra }], `the top-level query of channel ${channel}`)
}

export function ids(events: readonly NostrEvent[]): string[] {
  return events.map((e) => e.id)
}
