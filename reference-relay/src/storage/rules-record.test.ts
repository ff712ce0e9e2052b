import { join } from 'node:path'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { scratchDirs } from '../../../scripts/test-support/scratch-dirs.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { settleRules } from './rules-record.ts'
import { SqliteStore } from './sqlite-store.ts'

const scratch = scratchDirs('relay-rules-record-')

const note = () => finalizeEvent({ kind: 1, created_at: 1_700_000_000, tags: [], content: 'kept' }, generateSecretKey()) as NostrEvent

describe('settleRules', () => {
  test('a store without a record takes the opening mode; one with a record keeps it', () => {
    expect(settleRules(null, false, 'origin', 'x.db')).toEqual({ ok: true, record: 'origin' })
    expect(settleRules(null, false, 'spec', 'x.db')).toEqual({ ok: true, record: 'spec' })
    expect(settleRules('origin', true, 'origin', 'x.db')).toEqual({ ok: true, record: 'origin' })
    expect(settleRules('spec', false, 'origin', 'x.db')).toEqual({
      ok: false,
      message: 'error: x.db belongs to the open mode (written without --origin); start the relay without --origin, or use another database',
    })
    expect(settleRules('origin', false, 'spec', 'x.db')).toEqual({
      ok: false,
      message: 'error: x.db belongs to origin mode (written with --origin); start the relay with --origin, or use another database',
    })
  })

  test('events without a record were written by the open mode (the only one that could write a file before the record)', () => {
    expect(settleRules(null, true, 'spec', 'x.db')).toEqual({ ok: true, record: 'spec' })
    expect(settleRules(null, true, 'origin', 'x.db')).toMatchObject({ ok: false, message: expect.stringMatching(/^error: x\.db belongs to the open mode/) })
  })

  test('an unknown record is refused by both modes', () => {
    for (const wanted of ['spec', 'origin'] as const) {
      expect(settleRules('nip29', true, wanted, 'x.db')).toEqual({ ok: false, message: 'error: x.db records an unknown rule set "nip29"; use another database' })
    }
  })
})

describe('SQLite: the record in the file', () => {
  test('recorded at the first open, kept across reopening, a refusal leaves the record and the events as they were', () => {
    const file = join(scratch(), 'relay.db')
    const event = note()
    const first = new SqliteStore(file)
    first.settleRules('origin', file)
    first.insert(event)
    first.close()

    const refused = new SqliteStore(file)
    expect(() => refused.settleRules('spec', file)).toThrow(`error: ${file} belongs to origin mode (written with --origin)`)
    refused.close()

    const again = new SqliteStore(file)
    again.settleRules('origin', file)
    expect(again.get(event.id)?.content).toBe(event.content)
    again.close()
  })

  test('a file written before the record (events, no record) is the open mode\'s', () => {
    const file = join(scratch(), 'legacy.db')
    const legacy = new SqliteStore(file)
    legacy.insert(note())
    legacy.close()
    const store = new SqliteStore(file)
    expect(() => store.settleRules('origin', file)).toThrow(`error: ${file} belongs to the open mode (written without --origin)`)
    store.settleRules('spec', file)
    store.close()
  })
})
