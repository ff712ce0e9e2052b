import { describe, expect, test } from 'vitest'
import { ReplayCache } from './replay-cache.ts'

const id = (n: number) => n.toString(16).padStart(64, '0')
const alice = 'a'.repeat(64)
const bob = 'b'.repeat(64)

describe('NIP-98 replay cache', () => {
  test('test-and-set: first use passes, the second is a replay', () => {
    const cache = new ReplayCache(10, 60)
    expect(cache.seen(id(1), alice, 1000, 1000)).toBe(false)
    expect(cache.seen(id(1), alice, 1000, 1030)).toBe(true)
    expect(cache.seen(id(2), alice, 1000, 1030)).toBe(false)
  })

  test('an id is remembered until created_at + window, then forgotten', () => {
    const cache = new ReplayCache(10, 60)
    cache.seen(id(1), alice, 1000, 1000)
    expect(cache.seen(id(1), alice, 1000, 1060)).toBe(true)
    cache.sweep(1061)
    expect(cache.size).toBe(0)
    expect(cache.heldFor(alice)).toBe(0)
  })

  test('a future-dated id stays dangerous longer', () => {
    const cache = new ReplayCache(10, 60)
    cache.seen(id(1), alice, 1060, 1000)
    cache.sweep(1100)
    expect(cache.size).toBe(1)
    expect(cache.seen(id(1), alice, 1060, 1120)).toBe(true)
  })

  test('full of live ids: no room; expired ids are swept to make room', () => {
    const cache = new ReplayCache(3, 60)
    for (let n = 0; n < 3; n += 1) cache.seen(id(n), alice, 1000, 1000)
    expect(cache.hasRoom(bob, 1010)).toBe(false)
    expect(cache.size).toBe(3)
    expect(cache.hasRoom(bob, 1061)).toBe(true)
    expect(cache.size).toBe(0)
  })

  test('one signer cannot fill it: at its own quota it has no room, the others still have', () => {
    const cache = new ReplayCache(100, 60, 3)
    for (let n = 0; n < 3; n += 1) {
      expect(cache.hasRoom(alice, 1000)).toBe(true)
      cache.seen(id(n), alice, 1000, 1000)
    }
    expect(cache.hasRoom(alice, 1000)).toBe(false)
    expect(cache.hasRoom(bob, 1000)).toBe(true)
    // Nothing live was forgotten to make room: every id of alice is still a replay.
    for (let n = 0; n < 3; n += 1) expect(cache.seen(id(n), alice, 1000, 1001)).toBe(true)
    expect(cache.hasRoom(alice, 1061)).toBe(true)
  })
})
