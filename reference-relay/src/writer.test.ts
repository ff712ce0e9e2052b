import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { createFaultState } from './fault-state.ts'
import { faultSetOf } from './faults.ts'
import type { EventOutcome, MonitorMsg } from './messages.ts'
import { SqliteStore } from './storage/sqlite-store.ts'
import { Writer } from './writer.ts'

const now = () => Math.floor(Date.now() / 1000)
const sk = generateSecretKey()
const persona = (slug: string, created_at = now()) =>
  finalizeEvent({ kind: 30175, created_at, tags: [['d', slug]], content: '{}' }, sk) as NostrEvent

describe('batching writer', () => {
  let dir: string
  let file: string
  let store: SqliteStore
  let published: NostrEvent[]
  let writer: Writer
  let transactions: number

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'writer-test-'))
    file = path.join(dir, 'relay.db')
    store = new SqliteStore(file)
    const transaction = store.transaction.bind(store)
    transactions = 0
    let depth = 0
    // Counts outermost transactions only (the store nests its own inside the writer's).
    store.transaction = <T>(fn: () => T): T => {
      if (depth === 0) transactions += 1
      depth += 1
      try {
        return transaction(fn)
      } finally {
        depth -= 1
      }
    }
    published = []
    const monitor = { post: (msg: MonitorMsg) => msg.type === 'publish' && published.push(msg.event) }
    writer = new Writer({ store, monitor, faults: faultSetOf([]), faultState: createFaultState(), log: () => {} })
  })

  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const write = (events: NostrEvent[]) => {
    const outcomes: EventOutcome[] = []
    for (const event of events) writer.post({ type: 'write', event, reply: (o) => outcomes.push(o) })
    return outcomes
  }

  test('events posted together are written in one transaction, answered after it, then fanned out', async () => {
    const events = [persona('a'), persona('b'), persona('c')]
    const outcomes = write(events)
    expect(outcomes).toEqual([]) // nothing is answered before the commit
    await writer.drain()
    expect(transactions).toBe(1)
    expect(outcomes).toEqual(events.map((e) => ({ id: e.id, accepted: true, message: '' })))
    expect(published.map((e) => e.id)).toEqual(events.map((e) => e.id))
    expect(store.size()).toBe(3)
  })

  test('a failed commit fails every event of the batch with error:, stores and fans out none of them', async () => {
    // A second connection to the same file installs a trigger that aborts the transaction
    // when the third event of the batch is inserted (as a full disk would, mid-batch).
    const doomed = [persona('x'), persona('y'), persona('z')]
    const other = new Database(file)
    other.exec(`CREATE TRIGGER fail_batch BEFORE INSERT ON events WHEN NEW.id = '${doomed[2]?.id}'
                BEGIN SELECT RAISE(ABORT, 'simulated I/O failure'); END`)
    other.close()
    const outcomes = write(doomed)
    await writer.drain()
    expect(outcomes).toEqual(
      doomed.map((e) => ({ id: e.id, accepted: false, message: 'error: could not save event: simulated I/O failure' })),
    )
    expect(outcomes.every((o) => o.message.startsWith('error:'))).toBe(true)
    expect(store.size()).toBe(0) // the first two were rolled back with the third
    expect(published).toEqual([])

    // The writer goes on: the next batch (without the doomed event) is stored.
    const later = write([doomed[0] as NostrEvent, persona('w')])
    await writer.drain()
    expect(later.map((o) => o.accepted)).toEqual([true, true])
    expect(store.size()).toBe(2)
  })

  test('a deletion already in the store when the writer starts still blocks the version it covers', async () => {
    const target = persona('gone', now() - 10)
    const deletion = finalizeEvent(
      { kind: 5, created_at: now(), tags: [['a', `30175:${target.pubkey}:gone`]], content: '' },
      sk,
    ) as NostrEvent
    store.insert(deletion) // as if written by an earlier run of the relay
    const outcomes = write([target])
    await writer.drain()
    expect(outcomes).toEqual([{ id: target.id, accepted: false, message: 'blocked: this event was deleted by its author' }])
  })

  test("an author's first deletion blocks later versions at once", async () => {
    const t = now()
    const deletion = finalizeEvent({ kind: 5, created_at: t, tags: [['a', `30175:${persona('x').pubkey}:late`]], content: '' }, sk) as NostrEvent
    const covered = persona('late', t - 1)
    const outcomes = write([persona('other'), deletion, covered])
    await writer.drain()
    expect(outcomes.map((o) => o.message)).toEqual(['', '', 'blocked: this event was deleted by its author'])
  })

  test('precheck answers duplicates and stale versions from the store, and leaves the rest to a write', async () => {
    const t = now()
    const head = persona('p', t)
    write([head])
    await writer.drain()
    const stale = persona('p', t - 1)
    const newer = persona('p', t + 1)
    expect(writer.precheck(head)).toEqual({
      outcome: { id: head.id, accepted: true, message: 'duplicate: already have this event' },
      needsVerification: false,
    })
    expect(writer.precheck({ ...head, sig: 'f'.repeat(128) })).toBeNull() // a different signature must be verified
    // A stale version is answered from the store, but only after its signature verifies.
    expect(writer.precheck(stale)).toEqual({
      outcome: { id: stale.id, accepted: true, message: 'duplicate: a newer version of this address is already stored' },
      needsVerification: true,
    })
    expect(writer.precheck(newer)).toBeNull()
    expect(writer.precheck(persona('fresh'))).toBeNull()
    // Precheck reads only.
    expect(store.size()).toBe(1)
    expect(transactions).toBe(1)
  })
})
