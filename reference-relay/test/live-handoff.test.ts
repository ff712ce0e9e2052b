/**
 * The hand-over from stored to live events while the stored answer is read elsewhere (with
 * SQLite, on a reader thread): an event committed after the REQ's snapshot comes once,
 * live, after EOSE; one committed before it comes once, stored, before EOSE; never both.
 * Reads here are held back by a gate, taking their snapshot before or after the wait.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { DefaultLimits } from '../src/config.ts'
import type { RelayInternals } from '../src/relay.ts'
import type { RelayStore } from '../src/storage/event-store.ts'
import { MemoryBackend } from '../src/storage/memory-backend.ts'
import { Gate, type Frame, newKey, sign, startTestRelay, TestClient } from './helpers.ts'

const gate = new Gate()
/** 'before': the snapshot is taken when the REQ arrives, the answer waits; 'after': the snapshot waits. */
let snapshotAt: 'before' | 'after' = 'before'

function gatedStore(): RelayStore {
  const inner = new MemoryBackend()
  return {
    backend: 'memory (reads held by the test)',
    writer: inner.writer,
    reader: {
      read: async (query) => {
        if (snapshotAt === 'before') {
          const answer = await inner.reader.read(query)
          await gate.passed()
          return answer
        }
        await gate.passed()
        return inner.reader.read(query)
      },
      count: (filters) => inner.reader.count(filters),
    },
    close: () => inner.close(),
  }
}

let relay: RelayInternals
let reader: TestClient
let writer: TestClient
let counter = 0

beforeAll(async () => {
  relay = await startTestRelay({}, { limits: { ...DefaultLimits, maxHeldLiveBytes: 4_000 } }, { openStore: async () => gatedStore() })
  reader = await TestClient.connect(relay.url)
  writer = await TestClient.connect(relay.url)
})
afterAll(async () => {
  gate.open()
  reader.close()
  writer.close()
  await relay.close()
})

/** Every frame the relay sent `reader` before this returns has been received (COUNT does not use the gate). */
async function barrier(): Promise<void> {
  await reader.count(`barrier-${++counter}`, { limit: 0 })
}

const framesOf = (subId: string): Frame[] => reader.pending().filter((f) => f[1] === subId)

async function takeAll(subId: string): Promise<Frame[]> {
  await barrier()
  const frames = framesOf(subId)
  for (let i = 0; i < frames.length; i++) await reader.next((f) => f[1] === subId)
  return frames
}

const summary = (frames: Frame[]) => frames.map((f) => (f[0] === 'EVENT' ? `EVENT ${(f[2] as NostrEvent).id.slice(0, 8)}` : String(f[0])))

describe('stored and live events of one REQ', () => {
  test('an event committed after the snapshot comes once, live, after EOSE', async () => {
    const key = newKey()
    snapshotAt = 'before'
    gate.close()
    const subId = `after-${++counter}`
    reader.send(['REQ', subId, { authors: [key.pk] }])
    await barrier() // the REQ is in, its snapshot taken
    const late = sign(key, { kind: 1, content: 'late' })
    await writer.store(late)
    await barrier()
    expect(framesOf(subId)).toEqual([]) // held until the stored answer is out
    gate.open()
    expect(summary(await takeAll(subId))).toEqual(['EOSE', `EVENT ${late.id.slice(0, 8)}`])
    const next = sign(key, { kind: 1, content: 'next' })
    await writer.store(next)
    expect(summary(await takeAll(subId))).toEqual([`EVENT ${next.id.slice(0, 8)}`])
  })

  test('an event committed before the snapshot comes once, stored, before EOSE', async () => {
    const key = newKey()
    snapshotAt = 'after'
    gate.close()
    const subId = `before-${++counter}`
    reader.send(['REQ', subId, { authors: [key.pk] }])
    await barrier()
    const early = sign(key, { kind: 1, content: 'early' })
    await writer.store(early) // its live copy is held, then dropped: the snapshot has it
    gate.open()
    expect(summary(await takeAll(subId))).toEqual([`EVENT ${early.id.slice(0, 8)}`, 'EOSE'])
    const next = sign(key, { kind: 1, content: 'next' })
    await writer.store(next)
    expect(summary(await takeAll(subId))).toEqual([`EVENT ${next.id.slice(0, 8)}`])
  })

  test('a REQ closed before its stored answer gets neither stored nor live events', async () => {
    const key = newKey()
    snapshotAt = 'before'
    await writer.store(sign(key, { kind: 1, content: 'stored' }))
    gate.close()
    const subId = `closed-${++counter}`
    reader.send(['REQ', subId, { authors: [key.pk] }])
    await barrier()
    reader.send(['CLOSE', subId])
    await writer.store(sign(key, { kind: 1, content: 'live' }))
    gate.open()
    expect(await takeAll(subId)).toEqual([])
    // The positive control: the same REQ again gets both events.
    expect((await reader.req(`${subId}-again`, { authors: [key.pk] })).events).toHaveLength(2)
  })

  test('when held live events outgrow the bound, the REQ is closed with a reason instead of losing one', async () => {
    const key = newKey()
    snapshotAt = 'before'
    gate.close()
    const subId = `flooded-${++counter}`
    reader.send(['REQ', subId, { authors: [key.pk] }])
    await barrier()
    for (let i = 0; i < 4; i++) await writer.store(sign(key, { kind: 1, content: `${i}:${'z'.repeat(1_500)}` }))
    await barrier()
    expect(framesOf(subId)).toEqual([['CLOSED', subId, 'error: live events came faster than the stored events could be read; send the REQ again']])
    gate.open()
    await takeAll(subId)
    await barrier()
    expect(framesOf(subId)).toEqual([])
  })
})
