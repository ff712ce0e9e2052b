import { describe, expect, test } from 'vitest'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import type { NostrEvent } from './event.ts'
import { isThreadedMessage, placeChannelMessage, threadPositionOf } from './thread-ingest.ts'
import type { ThreadedEvent } from './thread-query.ts'
import { MaxThreadDepth, ThreadRefusals } from './thread.ts'

const key = generateSecretKey()
let clock = 1_800_000_000

function sign(kind: number, tags: string[][]): NostrEvent {
  clock += 1
  return finalizeEvent({ kind, created_at: clock, tags, content: 'hi' }, key)
}

/** A tiny store: accepted events with their placement. */
function store() {
  const byId = new Map<string, ThreadedEvent>()
  const add = (event: NostrEvent) => {
    const placed = placeChannelMessage(event, (id) => byId.get(id))
    if (placed.ok) byId.set(event.id, { event, thread: placed.thread })
    return placed
  }
  return { byId, add }
}

describe('channel message placement', () => {
  test('a kind 9 without markers is a root at depth 0', () => {
    const root = sign(9, [['h', 'c']])
    expect(store().add(root)).toEqual({ ok: true, thread: { root: root.id, parent: null, depth: 0, broadcast: false } })
  })

  test('only kind 9 scoped to a channel is threaded', () => {
    expect(isThreadedMessage({ kind: 9, tags: [['h', 'c']] })).toBe(true)
    expect(isThreadedMessage({ kind: 9, tags: [] })).toBe(false)
    expect(isThreadedMessage({ kind: 1, tags: [['h', 'c']] })).toBe(false)
    expect(store().add(sign(1, [['e', '1'.repeat(64), '', 'reply']]))).toEqual({ ok: true, thread: null })
  })

  test('a lone reply marker, then root + reply, build depth 1 and 2 with broadcast recorded', () => {
    const s = store()
    const root = sign(9, [['h', 'c']])
    s.add(root)
    const first = sign(9, [['h', 'c'], ['e', root.id, '', 'reply'], ['broadcast', '1']])
    expect(s.add(first)).toEqual({ ok: true, thread: { root: root.id, parent: root.id, depth: 1, broadcast: true } })
    const second = sign(9, [['h', 'c'], ['e', root.id, '', 'root'], ['e', first.id, '', 'reply']])
    expect(s.add(second)).toEqual({ ok: true, thread: { root: root.id, parent: first.id, depth: 2, broadcast: false } })
  })

  test('refusals: missing parent, other channel, root mismatch', () => {
    const s = store()
    const root = sign(9, [['h', 'c']])
    const otherRoot = sign(9, [['h', 'c']])
    s.add(root)
    s.add(otherRoot)
    const reply = sign(9, [['h', 'c'], ['e', root.id, '', 'reply']])
    s.add(reply)
    expect(s.add(sign(9, [['h', 'c'], ['e', '9'.repeat(64), '', 'reply']]))).toEqual({ ok: false, message: ThreadRefusals.parentMissing })
    expect(s.add(sign(9, [['h', 'd'], ['e', root.id, '', 'reply']]))).toEqual({ ok: false, message: ThreadRefusals.otherChannel })
    expect(s.add(sign(9, [['h', 'c'], ['e', otherRoot.id, '', 'root'], ['e', reply.id, '', 'reply']]))).toEqual({
      ok: false,
      message: ThreadRefusals.rootMismatch,
    })
    // A reply's own id is not a root either.
    expect(s.add(sign(9, [['h', 'c'], ['e', reply.id, '', 'root'], ['e', reply.id, '', 'reply']]))).toEqual({
      ok: false,
      message: ThreadRefusals.rootMismatch,
    })
  })

  test('a global parent is in another scope; a non-message channel event can be a root', () => {
    const s = store()
    const note = sign(1, [])
    s.add(note)
    expect(s.add(sign(9, [['h', 'c'], ['e', note.id, '', 'reply']]))).toEqual({ ok: false, message: ThreadRefusals.otherChannel })
    const article = sign(11, [['h', 'c']])
    s.add(article)
    expect(threadPositionOf({ event: article, thread: null })).toEqual({ id: article.id, channel: 'c', root: article.id, depth: 0 })
    expect(s.add(sign(9, [['h', 'c'], ['e', article.id, '', 'reply']]))).toMatchObject({ ok: true, thread: { root: article.id, depth: 1 } })
  })

  test(`depth ${MaxThreadDepth} is accepted and ${MaxThreadDepth + 1} refused`, () => {
    const s = store()
    const root = sign(9, [['h', 'c']])
    s.add(root)
    let parent = root
    for (let depth = 1; depth <= MaxThreadDepth; depth += 1) {
      const reply = sign(9, [['h', 'c'], ['e', root.id, '', 'root'], ['e', parent.id, '', 'reply']])
      expect(s.add(reply)).toMatchObject({ ok: true, thread: { depth } })
      parent = reply
    }
    const tooDeep = sign(9, [['h', 'c'], ['e', root.id, '', 'root'], ['e', parent.id, '', 'reply']])
    expect(s.add(tooDeep)).toEqual({ ok: false, message: ThreadRefusals.tooDeep })
  })
})
