import { describe, expect, test } from 'vitest'
import type { NostrEvent } from './event.ts'
import { checkDeletionAuthor, deletionTargets, isDeletedBy, personaDeletionTags } from './deletion.ts'

const alice = 'a'.repeat(64)
const bob = 'b'.repeat(64)

function persona(created_at: number, id = '1'.repeat(64), pubkey = alice): NostrEvent {
  return { id, pubkey, created_at, kind: 30175, tags: [['d', 'agent']], content: '{}', sig: '0'.repeat(128) }
}
function deletion(created_at: number, tags: string[][], pubkey = alice): NostrEvent {
  return { id: '9'.repeat(64), pubkey, created_at, kind: 5, tags, content: '', sig: '0'.repeat(128) }
}

describe('NIP-09 deletion of personas', () => {
  test('an `a` deletion removes versions at or before its created_at and spares later ones', () => {
    const del = deletion(100, personaDeletionTags(alice, 'agent'))
    expect(isDeletedBy(persona(99), del)).toBe(true)
    expect(isDeletedBy(persona(100), del)).toBe(true)
    expect(isDeletedBy(persona(101), del)).toBe(false)
  })

  test('an `e` deletion removes exactly the named version', () => {
    const del = deletion(100, [['e', '1'.repeat(64)]])
    expect(isDeletedBy(persona(150, '1'.repeat(64)), del)).toBe(true)
    expect(isDeletedBy(persona(150, '2'.repeat(64)), del)).toBe(false)
  })

  test('another author can delete nothing and is refused when naming a foreign address', () => {
    const foreign = deletion(100, personaDeletionTags(alice, 'agent'), bob)
    expect(isDeletedBy(persona(50), foreign)).toBe(false)
    expect(checkDeletionAuthor(foreign)).toEqual({ ok: false, message: 'invalid: must be event author' })
    expect(checkDeletionAuthor(deletion(100, personaDeletionTags(alice, 'agent')))).toEqual({ ok: true })
  })

  test('writers tag the address and the kind', () => {
    expect(personaDeletionTags(alice, 'agent')).toEqual([['a', `30175:${alice}:agent`], ['k', '30175']])
    expect(deletionTargets(deletion(1, [['a', 'garbage'], ['e', 'short']]))).toEqual({ ids: [], addresses: [] })
  })
})
