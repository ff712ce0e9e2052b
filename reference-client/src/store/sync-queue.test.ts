import Database from 'better-sqlite3'
import { join } from 'node:path'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import { formatAddress } from '../../../spec/model/head.ts'
import { PersonaKind } from '../../../spec/model/kinds.ts'
import { covers } from '../testing/covers.ts'
import { signDeletion, signPersona } from '../testing/helpers.ts'
import { openRetentionStore, type RetentionStore } from './index.ts'
import { retryDelaySeconds, syncAddressOf } from './sync-queue.ts'
import { scratchDirs } from '../../../scripts/test-support/scratch-dirs.ts'

const body = { display_name: 'Helper', system_prompt: 'Help.' }
const sk = generateSecretKey()
const pk = getPublicKey(sk)

describe('pending-sync queue', () => {
  const cleanups: Array<() => void> = []
  const scratch = scratchDirs('persona-sync-queue-')
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  function openTemp(): { store: RetentionStore; path: string } {
    const path = join(scratch(), 'store.db')
    const store = openRetentionStore(path)
    cleanups.push(() => store.close())
    return { store, path }
  }

  test('keeps write order, one entry per address: a new write replaces what was queued for it', covers('AP-STORE-6'), () => {
    const { store } = openTemp()
    const a1 = signPersona(sk, 'a', body, 1000)
    const b1 = signPersona(sk, 'b', body, 1000)
    const a2 = signPersona(sk, 'a', body, 1001)
    store.queue.enqueue(a1, 500)
    store.queue.enqueue(b1, 500)
    store.queue.enqueue(a2, 501)
    const queued = store.queue.list().entries
    expect(queued.map((e) => e.event.id)).toEqual([b1.id, a2.id])
    expect(queued[1]).toMatchObject({ address: formatAddress(PersonaKind, pk, 'a'), enqueuedAt: 501, attempts: 0, state: 'pending' })
    expect(store.queue.addresses()).toEqual(new Set([formatAddress(PersonaKind, pk, 'a'), formatAddress(PersonaKind, pk, 'b')]))
  })

  test('a deletion is queued under the address it deletes, replacing a queued version of it', () => {
    const { store } = openTemp()
    const version = signPersona(sk, 'a', body, 1000)
    const deletion = signDeletion(sk, 'a', 1001)
    expect(syncAddressOf(deletion)).toBe(syncAddressOf(version))
    store.queue.enqueue(version, 500)
    store.queue.enqueue(deletion, 501)
    expect(store.queue.list().entries.map((e) => e.event.id)).toEqual([deletion.id])
  })

  test('retry backs off, unreachable counts without delay, failed entries stay apart, done removes', covers('AP-STORE-7', 'AP-STORE-9'), () => {
    const { store } = openTemp()
    const a = signPersona(sk, 'a', body, 1000)
    const b = signPersona(sk, 'b', body, 1000)
    store.queue.enqueue(a, 500)
    store.queue.enqueue(b, 500)
    const [first, second] = store.queue.list().entries
    store.queue.markRetry(first!.seq, 'error: relay unreachable', 600)
    expect(store.queue.list().entries[0]).toMatchObject({ attempts: 1, nextAttemptAt: 600 + retryDelaySeconds(1), lastError: 'error: relay unreachable' })
    expect(store.queue.list({ dueAt: 600 }).entries.map((e) => e.event.id)).toEqual([b.id])
    expect(store.queue.list({ dueAt: 600 + retryDelaySeconds(1) }).entries).toHaveLength(2)
    store.queue.markUnreachable(second!.seq, 'error: cannot connect')
    expect(store.queue.list().entries[1]).toMatchObject({ attempts: 1, nextAttemptAt: 500, lastError: 'error: cannot connect' })
    store.queue.markFailed(second!.seq, 'invalid: nope')
    expect(store.queue.count()).toEqual({ pending: 1, failed: 1 })
    expect(store.queue.list().entries).toHaveLength(1)
    expect(store.queue.list({ includeFailed: true }).entries[1]).toMatchObject({ state: 'failed', lastError: 'invalid: nope', attempts: 2 })
    store.queue.markDone(first!.seq)
    expect(store.queue.count()).toEqual({ pending: 0, failed: 1 })
  })

  test('backoff doubles from 5 s and is capped at an hour', covers('AP-STORE-7'), () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([5, 10, 20, 40])
    expect(retryDelaySeconds(50)).toBe(3600)
  })

  test('a re-stamped event takes the place of the old one in the queue', covers('AP-STORE-8'), () => {
    const { store } = openTemp()
    const old = signPersona(sk, 'a', body, 1000)
    store.queue.enqueue(old, 500)
    store.queue.enqueue(signPersona(sk, 'b', body, 1000), 500)
    const fresh = signPersona(sk, 'a', body, 2000)
    store.queue.replaceEvent(store.queue.list().entries[0]!.seq, fresh)
    expect(store.queue.list().entries.map((e) => e.event.id)[0]).toBe(fresh.id)
  })

  test('an entry that fails verification when listed is reported, not sent', covers('AP-STORE-3'), () => {
    const { store, path } = openTemp()
    const event = signPersona(sk, 'a', body, 1000)
    store.queue.enqueue(event, 500)
    const raw = new Database(path)
    raw.prepare('UPDATE pending_sync SET raw = ?').run(JSON.stringify({ ...event, content: 'changed' }))
    raw.close()
    const listed = store.queue.list()
    expect(listed.entries).toEqual([])
    expect(listed.corrupt).toEqual([{ where: 'pending_sync', key: '1', message: 'invalid: event id does not match its fields' }])
  })
})
