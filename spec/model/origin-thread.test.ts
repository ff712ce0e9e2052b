import { describe, expect, test } from 'vitest'
import type { NostrEvent } from './event.ts'
import { originChannelOf, checkChannelScopeOrigin } from './scope.ts'
import { OriginThreadRefusals, originRootOfTopLevel, originThreadQueryOf, originThreadRefs, placeReplyOrigin, type ThreadPosition } from './thread.ts'
import { placeChannelMessageOrigin } from './thread-ingest.ts'
import { selectThreadRepliesOrigin, type ThreadedEvent } from './thread-query.ts'

const [a, b, c] = ['a', 'b', 'c'].map((x) => x.repeat(64)) as [string, string, string]
const channel = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b'

function message(id: string, tags: string[][], created_at = 1): NostrEvent {
  return { id, pubkey: 'f'.repeat(64), created_at, kind: 9, tags: [['h', channel], ...tags], content: '', sig: '0'.repeat(128) }
}

describe("the origin relay's NIP-10 reading", () => {
  test('both markers: parent from reply, claimed root from root', () => {
    expect(originThreadRefs([['e', a, '', 'root'], ['e', b, '', 'reply']])).toEqual({ claimedRoot: a, parent: b })
  })
  test('a lone root marker is top-level; a lone reply marker claims its target as root', () => {
    expect(originThreadRefs([['e', a, '', 'root']])).toBeNull()
    expect(originThreadRefs([['e', b, '', 'reply']])).toEqual({ claimedRoot: b, parent: b })
  })
  test('the last tag of a marker counts', () => {
    expect(originThreadRefs([['e', a, '', 'reply'], ['e', b, '', 'reply']])).toEqual({ claimedRoot: b, parent: b })
    expect(originThreadRefs([['e', a, '', 'root'], ['e', c, '', 'root'], ['e', b, '', 'reply']])).toEqual({ claimedRoot: c, parent: b })
  })
  test('three-element, positional, short-id and other-marker tags are not read; upper-case ids are', () => {
    expect(originThreadRefs([['e', a, 'reply'], ['e', b], ['e', 'ab', '', 'reply'], ['e', c, '', 'mention']])).toBeNull()
    expect(originThreadRefs([['e', a.toUpperCase(), '', 'reply']])).toEqual({ claimedRoot: a, parent: a })
  })
  test('a top-level parent takes its root from its own first root, else reply, marker', () => {
    expect(originRootOfTopLevel(message(a, []))).toBe(a)
    expect(originRootOfTopLevel(message(a, [['e', b, '', 'reply'], ['e', c, '', 'root']]))).toBe(c)
    expect(originRootOfTopLevel(message(a, [['e', b, '', 'reply']]))).toBe(b)
  })
})

describe("the origin relay's placement", () => {
  const top: ThreadPosition = { id: a, channel, root: a, depth: 0 }
  test('texts: no channel, another channel, root mismatch', () => {
    expect(placeReplyOrigin({ claimedRoot: a, parent: a }, channel, { ...top, channel: null })).toEqual({ ok: false, message: OriginThreadRefusals.noChannel })
    expect(placeReplyOrigin({ claimedRoot: a, parent: a }, channel, { ...top, channel: 'x' })).toEqual({ ok: false, message: OriginThreadRefusals.otherChannel })
    expect(placeReplyOrigin({ claimedRoot: b, parent: a }, channel, top)).toEqual({ ok: false, message: OriginThreadRefusals.rootMismatch })
  })
  test('a lone reply naming a reply is a root mismatch; naming a top-level message is depth 1', () => {
    const stored = new Map<string, ThreadedEvent>([
      [a, { event: message(a, []), thread: { root: a, parent: null, depth: 0, broadcast: false } }],
      [b, { event: message(b, [['e', a, '', 'reply']]), thread: { root: a, parent: a, depth: 1, broadcast: false } }],
    ])
    const find = (id: string) => stored.get(id)
    expect(placeChannelMessageOrigin(message(c, [['e', a, '', 'reply']]), find)).toEqual({ ok: true, thread: { root: a, parent: a, depth: 1, broadcast: false } })
    expect(placeChannelMessageOrigin(message(c, [['e', b, '', 'reply']]), find)).toEqual({ ok: false, message: OriginThreadRefusals.rootMismatch })
    expect(placeChannelMessageOrigin(message(c, [['e', a, '', 'root'], ['e', b, '', 'reply']]), find)).toMatchObject({ ok: true, thread: { depth: 2 } })
  })
  test('a lone root marker is recorded as a root without looking anything up', () => {
    expect(placeChannelMessageOrigin(message(c, [['e', a, '', 'root']]), () => undefined)).toEqual({ ok: true, thread: { root: c, parent: null, depth: 0, broadcast: false } })
  })
})

describe("the origin relay's channels", () => {
  test('the first h value that parses names the channel; personas have none', () => {
    expect(originChannelOf({ kind: 9, tags: [['h', 'general'], ['h', channel.toUpperCase()]] })).toBe(channel)
    expect(originChannelOf({ kind: 30175, tags: [['h', channel]] })).toBeNull()
  })
  test('a channel kind without a UUID h is refused; kind 11 is not a channel kind there', () => {
    expect(checkChannelScopeOrigin({ kind: 9, tags: [['h', 'general']] })).toMatchObject({ ok: false })
    expect(checkChannelScopeOrigin({ kind: 11, tags: [] })).toEqual({ ok: true })
  })
})

describe("the origin relay's thread query", () => {
  test('recognised only with an integer depth_limit >= 0 and one 64-hex #e', () => {
    expect(originThreadQueryOf({ '#e': [a.toUpperCase()], depth_limit: 0 })).toEqual({ root: a, depthLimit: 0, limit: 100 })
    for (const depth_limit of [-1, 1.5, '1']) expect(originThreadQueryOf({ '#e': [a], depth_limit })).toBeNull()
    expect(originThreadQueryOf({ '#e': [a, b], depth_limit: 1 })).toBeNull()
    expect(originThreadQueryOf({ '#e': [a], depth_limit: 1, limit: 9000 })?.limit).toBe(500)
  })
  test('replies of depth 1..depth_limit, the oldest kept at the limit, nothing else applied', () => {
    const entries: ThreadedEvent[] = [
      { event: message(a, [], 1), thread: { root: a, parent: null, depth: 0, broadcast: false } },
      { event: message(b, [], 3), thread: { root: a, parent: a, depth: 1, broadcast: false } },
      { event: message(c, [], 2), thread: { root: a, parent: b, depth: 2, broadcast: false } },
    ]
    expect(selectThreadRepliesOrigin(entries, { root: a, depthLimit: 2, limit: 100 }).map((e) => e.id)).toEqual([c, b])
    expect(selectThreadRepliesOrigin(entries, { root: a, depthLimit: 1, limit: 100 }).map((e) => e.id)).toEqual([b])
    expect(selectThreadRepliesOrigin(entries, { root: a, depthLimit: 2, limit: 1 }).map((e) => e.id)).toEqual([c])
  })
})
