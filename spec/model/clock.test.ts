import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { isWithinWindow, nextWriteTimestamp, symmetricWindow } from './clock.ts'

describe('clock window', () => {
  test('is inclusive at exactly the skew and exclusive one second beyond, both ways', () => {
    const now = 1_800_000_000
    const w = symmetricWindow(900)
    expect(isWithinWindow(now + 900, now, w)).toBe(true)
    expect(isWithinWindow(now - 900, now, w)).toBe(true)
    expect(isWithinWindow(now + 901, now, w)).toBe(false)
    expect(isWithinWindow(now - 901, now, w)).toBe(false)
  })
})

describe('write timestamp', () => {
  test('is now for a first version and T+1 when the head is not older than now', () => {
    expect(nextWriteTimestamp(1000)).toEqual({ ok: true, created_at: 1000 })
    expect(nextWriteTimestamp(1000, 500)).toEqual({ ok: true, created_at: 1000 })
    expect(nextWriteTimestamp(1000, 1000)).toEqual({ ok: true, created_at: 1001 })
    expect(nextWriteTimestamp(1000, 1200)).toEqual({ ok: true, created_at: 1201 })
  })

  test('refuses with blocked: and a wait time when T+1 would leave the window', () => {
    const result = nextWriteTimestamp(1000, 1900, symmetricWindow(900))
    expect(result).toEqual({
      ok: false,
      message: "blocked: next version needs created_at 1901, 901s ahead of now, beyond the relay's 900s window; wait 1s and retry",
    })
    expect(nextWriteTimestamp(1000, 1899, symmetricWindow(900))).toEqual({ ok: true, created_at: 1900 })
  })

  test.prop([fc.integer({ min: 0, max: 2 ** 40 }), fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined })])(
    'always supersedes the head and never goes back before now',
    (now, head) => {
      const result = nextWriteTimestamp(now, head)
      expect(result.ok).toBe(true)
      if (!result.ok) return
      expect(result.created_at).toBeGreaterThanOrEqual(now)
      if (head !== undefined) expect(result.created_at).toBeGreaterThan(head)
    },
  )
})
