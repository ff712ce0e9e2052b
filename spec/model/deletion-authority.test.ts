import { describe, expect, test } from 'vitest'
import { checkDeletionTargetAuthors } from './deletion-authority.ts'
import { ForeignDeletionRefusal } from './deletion.ts'

const alice = 'a'.repeat(64)
const bob = 'b'.repeat(64)

describe('checkDeletionTargetAuthors', () => {
  test('accepts a deletion whose held targets are all its own', () => {
    expect(checkDeletionTargetAuthors({ pubkey: alice }, [{ pubkey: alice }, { pubkey: alice }])).toEqual({ ok: true })
  })

  test('accepts a deletion naming nothing the relay holds', () => {
    expect(checkDeletionTargetAuthors({ pubkey: alice }, [])).toEqual({ ok: true })
  })

  test('refuses with the origin message when any held target has another author', () => {
    expect(checkDeletionTargetAuthors({ pubkey: alice }, [{ pubkey: alice }, { pubkey: bob }])).toEqual({
      ok: false,
      message: ForeignDeletionRefusal,
    })
  })
})
