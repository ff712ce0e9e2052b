import { describe, expect, test } from 'vitest'
import { isBroadcast, isTopLevel, MaxThreadDepth, placeReply, threadQueryOf, threadRefs, topLevelQueryOf, type ThreadPosition } from './thread.ts'

const root = '1'.repeat(64)
const mid = '2'.repeat(64)
const rootPos: ThreadPosition = { id: root, channel: 'c', root, depth: 0 }
const midPos: ThreadPosition = { id: mid, channel: 'c', root, depth: 1 }

describe('NIP-10 thread refs', () => {
  test('root + reply markers name the parent and the claimed root', () => {
    expect(threadRefs([['e', root, '', 'root'], ['e', mid, '', 'reply']])).toEqual({ claimedRoot: root, parent: mid })
  })
  test('a lone reply marker is a direct reply to the root', () => {
    expect(threadRefs([['e', root, '', 'reply']])).toEqual({ claimedRoot: null, parent: root })
  })
  test('a lone root marker replies to the root; unmarked e tags are not thread refs', () => {
    expect(threadRefs([['e', root, '', 'root']])).toEqual({ claimedRoot: root, parent: root })
    expect(threadRefs([['e', root]])).toBeNull()
  })
})

describe('reply placement', () => {
  test('depth is the parent depth plus one, and the root is inherited', () => {
    expect(placeReply({ claimedRoot: null, parent: root }, 'c', rootPos)).toEqual({ ok: true, root, depth: 1 })
    expect(placeReply({ claimedRoot: root, parent: mid }, 'c', midPos)).toEqual({ ok: true, root, depth: 2 })
  })
  test('refusals: missing parent, other channel, wrong root, too deep', () => {
    expect(placeReply({ claimedRoot: null, parent: root }, 'c', undefined)).toEqual({ ok: false, message: 'invalid: reply parent not found' })
    expect(placeReply({ claimedRoot: null, parent: root }, 'd', rootPos)).toMatchObject({ ok: false, message: expect.stringMatching(/^invalid: /) })
    expect(placeReply({ claimedRoot: mid, parent: mid }, 'c', midPos)).toEqual({
      ok: false,
      message: 'invalid: root tag does not match thread ancestry',
    })
    const deepest: ThreadPosition = { id: mid, channel: 'c', root, depth: MaxThreadDepth }
    expect(placeReply({ claimedRoot: root, parent: mid }, 'c', deepest)).toEqual({ ok: false, message: 'invalid: thread depth limit exceeded' })
    expect(placeReply({ claimedRoot: root, parent: mid }, 'c', { ...deepest, depth: MaxThreadDepth - 1 })).toMatchObject({ ok: true, depth: 100 })
  })
})

describe('broadcast and top level', () => {
  test('broadcast only for a tag exactly ["broadcast","1"]', () => {
    expect(isBroadcast([['broadcast', '1']])).toBe(true)
    expect(isBroadcast([['broadcast', 'true']])).toBe(false)
    expect(isBroadcast([['broadcast', '1', 'x']])).toBe(false)
    expect(isBroadcast([['broadcast']])).toBe(false)
  })
  test('top level: roots, and depth-1 replies only when broadcast', () => {
    expect(isTopLevel(0, false)).toBe(true)
    expect(isTopLevel(1, true)).toBe(true)
    expect(isTopLevel(1, false)).toBe(false)
    expect(isTopLevel(2, true)).toBe(false)
  })
})

describe('thread query extensions', () => {
  test('depth_limit needs a non-negative integer and exactly one 64-hex #e', () => {
    expect(threadQueryOf({ '#e': [root], depth_limit: 0 })).toEqual({ root, depthLimit: 0, limit: 100 })
    expect(threadQueryOf({ '#e': [root], depth_limit: 2, limit: 9999 })).toEqual({ root, depthLimit: 2, limit: 500 })
    expect(threadQueryOf({ '#e': [root, mid], depth_limit: 1 })).toBeNull()
    expect(threadQueryOf({ '#e': ['xyz'], depth_limit: 1 })).toBeNull()
    expect(threadQueryOf({ '#e': [root], depth_limit: -1 })).toBeNull()
    expect(threadQueryOf({ '#e': [root], depth_limit: 1.5 })).toBeNull()
    expect(threadQueryOf({ '#e': [root] })).toBeNull()
  })
  test('top_level needs true and exactly one #h', () => {
    expect(topLevelQueryOf({ '#h': ['c'], top_level: true })).toEqual({ channel: 'c', limit: 100 })
    expect(topLevelQueryOf({ '#h': ['c'], top_level: 'yes' })).toBeNull()
    expect(topLevelQueryOf({ '#h': ['c', 'd'], top_level: true })).toBeNull()
  })
})
