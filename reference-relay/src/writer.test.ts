/** The writer stage over the SQLite writer thread: group commit, OK after commit, failed batches. */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { EventOutcome, MonitorMsg } from './messages.ts'
import { SqliteBackend } from './storage/sqlite-backend.ts'
import { Writer } from './writer.ts'

const now = () => Math.floor(Date.now() / 1000)
const sk = generateSecretKey()
let slugs = 0
const persona = (slug = `s${++slugs}`, created_at = now()) =>
  finalizeEvent({ kind: 30175, created_at, tags: [['d', slug]], content: '{}' }, sk) as NostrEvent

describe('writer stage (SQLite writer thread)', () => {
  let dir: string
  let file: string
  let backend: SqliteBackend
  let published: Array<{ id: string; commit: number | null }>
  let writer: Writer

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'writer-test-'))
    file = path.join(dir, 'relay.db')
    backend = await SqliteBackend.open(file, { readers: 1, log: () => {} })
    published = []
    const monitor = { post: (msg: MonitorMsg) => msg.type === 'publish' && published.push({ id: msg.event.id, commit: msg.commit }) }
    writer = new Writer({ store: backend.writer, monitor, limits: { maxBatchEvents: 4, maxBatchBytes: 1_000_000 }, log: () => {} })
  })

  afterAll(async () => {
    await backend.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const write = (events: NostrEvent[], bytes = 100) => {
    const outcomes: EventOutcome[] = []
    for (const event of events) writer.post({ type: 'write', event, bytes, reply: (o) => outcomes.push(o) })
    return outcomes
  }
  const count = async () => backend.reader.count([{ kinds: [30175] }])

  test('events posted together are one transaction, answered only after its commit, then fanned out with its commit number', async () => {
    const before = writer.stats.batches
    const events = [persona(), persona(), persona()]
    const outcomes = write(events)
    expect(outcomes).toEqual([]) // nothing is answered before the commit
    await writer.drain()
    expect(writer.stats.batches - before).toBe(1)
    expect(outcomes).toEqual(events.map((e) => ({ id: e.id, accepted: true, message: '' })))
    const commit = (await backend.reader.read({ type: 'filters', filters: [{ ids: [events[0]?.id as string] }] })).commit
    expect(published.slice(-3)).toEqual(events.map((e) => ({ id: e.id, commit })))
  })

  test('what arrives during a commit goes out together as the next batch, bounded by count and bytes', async () => {
    const before = writer.stats.batches
    const first = write([persona()])
    // Posted while the first batch is in the writer thread: 4 + 4 + 2 by count.
    await new Promise((resolve) => setImmediate(resolve))
    const rest = write(Array.from({ length: 10 }, () => persona()))
    await writer.drain()
    expect(first).toHaveLength(1)
    expect(rest.every((o) => o.accepted && o.message === '')).toBe(true)
    expect(writer.stats.batches - before).toBe(4)
    // By bytes: one event over the bound still goes out alone.
    const mark = writer.stats.batches
    write([persona()], 2_000_000)
    write([persona()], 10)
    await writer.drain()
    expect(writer.stats.batches - mark).toBe(2)
  })

  test('a failed commit fails every event of the batch with error:, stores and fans out none, and the writer goes on', async () => {
    // Another connection to the same file installs a trigger that aborts the transaction when
    // the third event of the batch is inserted (as a full disk would, mid-batch).
    const doomed = [persona(), persona(), persona()]
    const other = new Database(file)
    other.exec(`CREATE TRIGGER fail_batch BEFORE INSERT ON events WHEN NEW.id = '${doomed[2]?.id}'
                BEGIN SELECT RAISE(ABORT, 'simulated I/O failure'); END`)
    other.close()
    const stored = await count()
    const fannedOut = published.length
    const outcomes = write(doomed)
    await writer.drain()
    expect(outcomes).toEqual(doomed.map((e) => ({ id: e.id, accepted: false, message: 'error: could not save event: simulated I/O failure' })))
    expect(await count()).toBe(stored) // the first two were rolled back with the third
    expect(published.length).toBe(fannedOut)
    // The next batch (without the doomed event) is stored.
    const later = write([doomed[0] as NostrEvent, persona()])
    await writer.drain()
    expect(later.map((o) => o.accepted)).toEqual([true, true])
    expect(await count()).toBe(stored + 2)
  })
})
