/**
 * An origin-mode history whose every part lives in storage, for restart tests on the durable
 * backends: a channel thread placed the origin's way (a reply to a reply, a broadcast reply
 * at top level, a top-level message carrying a lone `root` marker), an event deleted by a
 * one-target deletion, and a persona with a superseded version. `checkOriginHistory` requires
 * that a relay started again on the same store serves all of it as before and keeps deciding
 * by it: re-sends (the deleted event and the superseded version included) answered exactly
 * `duplicate:`, the deleted event never served again, `e` deletions of the deleted event and
 * of the superseded version accepted as the origin's soft deletion accepts them (the head
 * stays), new replies placed under the stored facts and refused against them with the
 * origin's texts.
 */

import { randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import { Nip01Connection } from '../../lib/nip01/connection.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { OriginDuplicateMessage } from '../../spec/model/reasons.ts'
import { OriginThreadRefusals } from '../../spec/model/thread.ts'
import { deletion, type Key, newKey, persona, sign } from './helpers.ts'
import { request } from './http-helpers.ts'

export interface OriginHistory {
  key: Key
  channel: string
  root: NostrEvent
  /** Broadcast reply to root (depth 1, shown at top level). */
  reply: NostrEvent
  /** Reply to `reply` (depth 2). */
  deep: NostrEvent
  /** Top-level message with a lone `root` marker naming `root`: its replies sit at depth 2. */
  loneRoot: NostrEvent
  deleted: NostrEvent
  persona: NostrEvent
  /** The version `persona` superseded. */
  superseded: NostrEvent
  /** The reads taken before the restart, to compare after it. */
  answers: HistoryAnswers
}

interface HistoryAnswers {
  thread: string[]
  topLevel: string[]
  personas: string[]
}

const marked = (id: string, marker: 'root' | 'reply') => ['e', id, '', marker]

/** Opens an authenticated origin-mode connection for `key`. */
export async function originConnection(url: string, key: Key): Promise<Nip01Connection> {
  const conn = await Nip01Connection.open(url)
  const auth = await conn.authenticate(key.sk)
  if (!auth.accepted) throw new Error(`AUTH refused: ${auth.message}`)
  return conn
}

async function readIds(httpUrl: string, key: Key, filters: unknown[]): Promise<string[]> {
  const reply = await request(httpUrl, '/query', filters, { key })
  expect(reply.status).toBe(200)
  return (reply.json as NostrEvent[]).map((event) => event.id)
}

async function readAnswers(httpUrl: string, history: Pick<OriginHistory, 'key' | 'channel' | 'root'>): Promise<HistoryAnswers> {
  const { key, channel, root } = history
  return {
    thread: await readIds(httpUrl, key, [{ kinds: [9], '#e': [root.id], depth_limit: 5 }]),
    topLevel: await readIds(httpUrl, key, [{ kinds: [9], '#h': [channel], top_level: true }]),
    personas: await readIds(httpUrl, key, [{ kinds: [30175], authors: [key.pk] }]),
  }
}

/** Writes the history through one authenticated connection; every event is acknowledged OK true before it resolves. */
export async function writeOriginHistory(url: string, httpUrl: string): Promise<OriginHistory> {
  const key = newKey()
  const channel = randomUUID()
  const h = ['h', channel]
  const root = sign(key, { kind: 9, tags: [h], content: 'root' })
  const reply = sign(key, { kind: 9, tags: [h, marked(root.id, 'root'), marked(root.id, 'reply'), ['broadcast', '1']], content: 'reply' })
  const deep = sign(key, { kind: 9, tags: [h, marked(root.id, 'root'), marked(reply.id, 'reply')], content: 'deep' })
  const loneRoot = sign(key, { kind: 9, tags: [h, marked(root.id, 'root')], content: 'lone root marker' })
  const deleted = sign(key, { kind: 9, tags: [h], content: 'to be deleted' })
  const held = persona(key, 'durable-origin')
  const superseded = persona(key, 'durable-origin', held.created_at - 10)
  const conn = await originConnection(url, key)
  try {
    for (const event of [root, reply, deep, loneRoot, deleted, superseded, held, deletion(key, [['e', deleted.id]])]) {
      expect(await conn.publish(event)).toMatchObject({ accepted: true, message: '' })
    }
  } finally {
    await conn.close()
  }
  const history = { key, channel, root, reply, deep, loneRoot, deleted, persona: held, superseded }
  const answers = await readAnswers(httpUrl, history)
  // What the history means, before any restart: the deleted message is gone, replies by depth.
  expect(answers).toEqual({
    thread: [reply, deep].sort(oldestFirst).map((event) => event.id),
    topLevel: [loneRoot, reply, root].sort(newestFirst).map((event) => event.id),
    personas: [held.id],
  })
  return { ...history, answers }
}

/** The orders of top-level and thread answers; ties lowest id first (the events of one history may share a second). */
const byId = (a: NostrEvent, b: NostrEvent) => (a.id < b.id ? -1 : 1)
const newestFirst = (a: NostrEvent, b: NostrEvent) => b.created_at - a.created_at || byId(a, b)
const oldestFirst = (a: NostrEvent, b: NostrEvent) => a.created_at - b.created_at || byId(a, b)

/** Checks, against a relay started again on the same store, that the history is served and decided by as before. */
export async function checkOriginHistory(url: string, httpUrl: string, history: OriginHistory): Promise<void> {
  const { key, channel, root, deep, loneRoot } = history
  expect(await readAnswers(httpUrl, history)).toEqual(history.answers)
  const h = ['h', channel]
  const conn = await originConnection(url, key)
  try {
    // The stored events and the deletion decide re-sends: exactly `duplicate:`, nothing stored again.
    for (const event of [history.persona, root, history.deleted, history.superseded]) {
      expect(await conn.publish(event)).toMatchObject({ accepted: true, message: OriginDuplicateMessage })
    }
    expect((await conn.query([{ ids: [history.deleted.id, history.superseded.id] }])).events).toEqual([])
    // Soft deletion: the deleted event and the superseded version are still held, so an `e`
    // deletion may name them; it is stored and removes nothing (the head stays).
    // The content makes each a new event: the history's own deletion of `deleted`, signed in
    // the same second with the same tag, would be that very event again (`duplicate:`).
    for (const target of [history.deleted, history.superseded]) {
      const again = sign(key, { kind: 5, tags: [['e', target.id]], content: 'named again after the restart' })
      expect(await conn.publish(again)).toMatchObject({ accepted: true, message: '' })
    }
    expect(await readIds(httpUrl, key, [{ kinds: [30175], authors: [key.pk] }])).toEqual([history.persona.id])
    // New replies placed under the stored facts: below `deep` at depth 3; below the lone-root
    // message at depth 2 under root; the wrong root refused with the origin's text.
    const deeper = sign(key, { kind: 9, tags: [h, marked(root.id, 'root'), marked(deep.id, 'reply')], content: 'after restart' })
    const underLone = sign(key, { kind: 9, tags: [h, marked(root.id, 'root'), marked(loneRoot.id, 'reply')], content: 'under lone root' })
    const wrongRoot = sign(key, { kind: 9, tags: [h, marked(loneRoot.id, 'root'), marked(deep.id, 'reply')], content: 'wrong root' })
    expect(await conn.publish(deeper)).toMatchObject({ accepted: true, message: '' })
    expect(await conn.publish(underLone)).toMatchObject({ accepted: true, message: '' })
    expect(await conn.publish(wrongRoot)).toMatchObject({ accepted: false, message: OriginThreadRefusals.rootMismatch })
    const elsewhere = sign(key, { kind: 9, tags: [['h', randomUUID()], marked(root.id, 'root'), marked(deep.id, 'reply')] })
    expect(await conn.publish(elsewhere)).toMatchObject({ accepted: false, message: OriginThreadRefusals.otherChannel })
    const depth = (limit: number) => readIds(httpUrl, key, [{ kinds: [9], '#e': [root.id], depth_limit: limit }])
    expect(new Set(await depth(2))).toEqual(new Set([history.reply.id, deep.id, underLone.id]))
    expect(new Set(await depth(3))).toEqual(new Set([history.reply.id, deep.id, underLone.id, deeper.id]))
  } finally {
    await conn.close()
  }
}
