import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { addressOf, compareVersions, parseAddress, selectHead, selectHeads, supersedes } from './head.ts'
import type { NostrEvent } from './event.ts'

const hexId = fc.stringMatching(/^[0-9a-f]{64}$/)
const version = fc.record({ id: hexId, created_at: fc.integer({ min: 1_700_000_000, max: 1_700_000_005 }) })

function event(overrides: Partial<NostrEvent>): NostrEvent {
  return { id: '0'.repeat(64), pubkey: 'a'.repeat(64), created_at: 1, kind: 30175, tags: [['d', 's']], content: '', sig: '0'.repeat(128), ...overrides }
}

describe('head selection', () => {
  test('greater created_at wins; equal created_at, lowest id wins', () => {
    const older = { id: '0'.repeat(64), created_at: 10 }
    const newer = { id: 'f'.repeat(64), created_at: 11 }
    expect(supersedes(newer, older)).toBe(true)
    expect(supersedes(older, newer)).toBe(false)
    const low = { id: `0${'f'.repeat(63)}`, created_at: 10 }
    const high = { id: `1${'0'.repeat(63)}`, created_at: 10 }
    expect(supersedes(low, high)).toBe(true)
    expect(supersedes(high, low)).toBe(false)
    expect(supersedes(low, low)).toBe(false)
  })

  const versionsAndPermutation = fc
    .uniqueArray(version, { selector: (v) => v.id, minLength: 1, maxLength: 12 })
    .chain((versions) =>
      fc.tuple(fc.constant(versions), fc.shuffledSubarray(versions, { minLength: versions.length, maxLength: versions.length })),
    )

  test.prop([versionsAndPermutation])('does not depend on arrival order', ([versions, permuted]) => {
    const head = selectHead(versions)
    expect(selectHead(permuted)).toBe(head)
    for (const v of versions) if (head && v !== head) expect(compareVersions(head, v)).toBeLessThan(0)
  })

  test('addresses: addressable use d, replaceable use an empty d, others have none', () => {
    expect(addressOf(event({ kind: 30175, tags: [['d', 'x']] }))).toBe(`30175:${'a'.repeat(64)}:x`)
    expect(addressOf(event({ kind: 30175, tags: [] }))).toBe(`30175:${'a'.repeat(64)}:`)
    expect(addressOf(event({ kind: 0, tags: [['d', 'x']] }))).toBe(`0:${'a'.repeat(64)}:`)
    expect(addressOf(event({ kind: 1 }))).toBeNull()
    expect(parseAddress(`30175:${'a'.repeat(64)}:a:b`)).toEqual({ kind: 30175, pubkey: 'a'.repeat(64), d: 'a:b' })
    expect(parseAddress('30175:nothex:x')).toBeNull()
  })

  test('selectHeads keeps one head per address and passes other events through', () => {
    const a1 = event({ id: '1'.repeat(64), created_at: 1 })
    const a2 = event({ id: '2'.repeat(64), created_at: 2 })
    const other = event({ id: '3'.repeat(64), kind: 1, tags: [] })
    expect(selectHeads([a2, other, a1]).map((e) => e.id)).toEqual([a2.id, other.id])
  })
})
