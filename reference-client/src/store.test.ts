import { statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import { formatAddress } from '../../spec/model/head.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { openRetentionStore, retryDelaySeconds, type RetentionStore } from './store.ts'
import { makeTempDir, signDeletion, signPersona } from './test-helpers.ts'

const body = { display_name: 'Helper', system_prompt: 'Help.' }

describe('retention store', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  function openTemp(): { store: RetentionStore; path: string } {
    const temp = makeTempDir()
    const path = join(temp.dir, 'store.db')
    const store = openRetentionStore(path)
    cleanups.push(() => {
      store.close()
      temp.remove()
    })
    return { store, path }
  }

  const sk = generateSecretKey()
  const pk = getPublicKey(sk)

  test('creates the database file with mode 0600', () => {
    const { path } = openTemp()
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  test('a newer created_at replaces the head and an older one is kept out as duplicate', () => {
    const { store } = openTemp()
    const v1 = signPersona(sk, 'a', body, 1000)
    const v2 = signPersona(sk, 'a', { ...body, system_prompt: 'v2' }, 1001)
    expect(store.putPersona(v1)).toEqual({ status: 'stored', replaced: null })
    expect(store.putPersona(v2)).toEqual({ status: 'stored', replaced: v1.id })
    const stale = store.putPersona(v1)
    expect(stale.status).toBe('stale')
    expect(stale.status === 'stale' && stale.message.startsWith('duplicate: ')).toBe(true)
    const read = store.readPersona(pk, 'a')
    expect(read.status === 'present' && read.event.id).toBe(v2.id)
  })

  test('on equal created_at the lowest id wins, whichever arrives first', () => {
    const { store } = openTemp()
    const x = signPersona(sk, 'tie', { ...body, system_prompt: 'x' }, 2000)
    const y = signPersona(sk, 'tie', { ...body, system_prompt: 'y' }, 2000)
    const [low, high] = x.id < y.id ? [x, y] : [y, x]
    store.putPersona(low)
    expect(store.putPersona(high).status).toBe('stale')
    const { store: other } = openTemp()
    other.putPersona(high)
    expect(other.putPersona(low).status).toBe('stored')
    for (const s of [store, other]) {
      const read = s.readPersona(pk, 'tie')
      expect(read.status === 'present' && read.event.id).toBe(low.id)
    }
  })

  test('refuses events that do not verify', () => {
    const { store } = openTemp()
    const event = signPersona(sk, 'a', body, 1000)
    expect(store.putPersona({ ...event, content: '{"display_name":"x","system_prompt":"y"}' }).status).toBe('invalid')
    expect(store.putPersona({ ...event, sig: 'f'.repeat(128) }).status).toBe('invalid')
    expect(store.putPersona(signPersona(sk, 'Bad', body, 1000)).status).toBe('invalid')
  })

  test('re-verifies rows on load: a tampered row reads as corrupt and is left out of lists', () => {
    const { store, path } = openTemp()
    const event = signPersona(sk, 'a', body, 1000)
    store.putPersona(event)
    store.putPersona(signPersona(sk, 'b', body, 1000))
    const raw = new Database(path)
    raw.prepare('UPDATE events SET raw = ? WHERE d_tag = ?').run(JSON.stringify({ ...event, content: '{"display_name":"evil","system_prompt":"x"}' }), 'a')
    raw.close()
    expect(store.readPersona(pk, 'a').status).toBe('corrupt')
    const listed = store.listPersonas(pk)
    expect(listed.events.map((e) => e.tags[0]?.[1])).toEqual(['b'])
    expect(listed.corrupt).toHaveLength(1)
  })

  test('a deletion removes versions up to its created_at; a later version resurrects the slug', () => {
    const { store } = openTemp()
    store.putPersona(signPersona(sk, 'gone', body, 1000))
    const deletion = signDeletion(sk, 'gone', 1005)
    expect(store.putDeletion(deletion)).toEqual({ status: 'stored', removed: 1 })
    expect(store.readPersona(pk, 'gone').status).toBe('deleted')
    expect(store.putPersona(signPersona(sk, 'gone', body, 1005)).status).toBe('deleted')
    expect(store.lastTimestampOf(pk, 'gone')).toBe(1005)
    const back = signPersona(sk, 'gone', body, 1006)
    expect(store.putPersona(back).status).toBe('stored')
    const read = store.readPersona(pk, 'gone')
    expect(read.status === 'present' && read.event.id).toBe(back.id)
  })

  test('a deletion older than the head leaves the head alone', () => {
    const { store } = openTemp()
    const head = signPersona(sk, 'kept', body, 2000)
    store.putPersona(head)
    store.putDeletion(signDeletion(sk, 'kept', 1999))
    expect(store.readPersona(pk, 'kept').status).toBe('present')
  })

  test('the pending-sync queue keeps order, backs off and lets a new write supersede the old one', () => {
    const { store } = openTemp()
    const a1 = signPersona(sk, 'a', body, 1000)
    const b1 = signPersona(sk, 'b', body, 1000)
    const a2 = signPersona(sk, 'a', body, 1001)
    store.enqueueSync(a1, 500)
    store.enqueueSync(b1, 500)
    store.enqueueSync(a2, 501)
    const queued = store.listPendingSync().entries
    expect(queued.map((e) => e.event.id)).toEqual([b1.id, a2.id])
    expect(queued[1]?.address).toBe(formatAddress(PersonaKind, pk, 'a'))

    const first = queued[0]!
    store.markSyncRetry(first.seq, 'error: relay unreachable', 600)
    const after = store.listPendingSync().entries.find((e) => e.seq === first.seq)!
    expect(after.attempts).toBe(1)
    expect(after.nextAttemptAt).toBe(600 + retryDelaySeconds(1))
    expect(after.lastError).toBe('error: relay unreachable')
    expect(store.listPendingSync({ dueAt: 600 }).entries.map((e) => e.event.id)).toEqual([a2.id])
    expect(store.listPendingSync({ dueAt: 600 + retryDelaySeconds(1) }).entries).toHaveLength(2)

    store.markSyncUnreachable(queued[1]!.seq, 'error: cannot connect')
    const unreachable = store.listPendingSync().entries.find((e) => e.seq === queued[1]!.seq)!
    expect([unreachable.attempts, unreachable.nextAttemptAt, unreachable.lastError]).toEqual([1, 501, 'error: cannot connect'])

    store.markSyncFailed(queued[1]!.seq, 'invalid: nope')
    expect(store.countPendingSync()).toEqual({ pending: 1, failed: 1 })
    expect(store.listPendingSync().entries).toHaveLength(1)
    store.markSyncDone(first.seq)
    expect(store.countPendingSync()).toEqual({ pending: 0, failed: 1 })
  })

  test('backoff doubles from 5 s and is capped at an hour', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([5, 10, 20, 40])
    expect(retryDelaySeconds(50)).toBe(3600)
  })

  test('local env vars live in their own table, per owner and slug', () => {
    const { store } = openTemp()
    store.setPersonaEnv(pk, 'a', { API_KEY: 'secret', MODE: 'x' })
    expect(store.readPersonaEnv(pk, 'a')).toEqual({ API_KEY: 'secret', MODE: 'x' })
    expect(store.readPersonaEnv(pk, 'b')).toEqual({})
    store.setPersonaEnv(pk, 'a', { MODE: 'y' })
    expect(store.readPersonaEnv(pk, 'a')).toEqual({ MODE: 'y' })
  })

  test('two owners may hold the same slug independently', () => {
    const { store } = openTemp()
    const other = generateSecretKey()
    store.putPersona(signPersona(sk, 'same', body, 1000))
    store.putPersona(signPersona(other, 'same', { ...body, display_name: 'Other' }, 999))
    expect(store.readPersona(pk, 'same').status).toBe('present')
    expect(store.readPersona(getPublicKey(other), 'same').status).toBe('present')
    expect(store.listPersonas().events).toHaveLength(2)
  })
})
