import { join } from 'node:path'
import Database from 'better-sqlite3'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import { DeletionKind, PersonaKind } from '../../../spec/model/kinds.ts'
import { covers } from '../testing/covers.ts'
import { plainEvent, signDeletion, signPersona } from '../testing/helpers.ts'
import { openRetentionStore, type RetentionStore } from './index.ts'
import { scratchDirs } from '../../../scripts/test-support/scratch-dirs.ts'

const body = { display_name: 'Helper', system_prompt: 'Help.' }
const sk = generateSecretKey()
const pk = getPublicKey(sk)

function signIdDeletion(secretKey: Uint8Array, id: string, createdAt: number) {
  return finalizeEvent({ kind: DeletionKind, created_at: createdAt, tags: [['e', id], ['k', String(PersonaKind)]], content: '' }, secretKey)
}

describe('persona heads and deletions', () => {
  const cleanups: Array<() => void> = []
  const scratch = scratchDirs('persona-heads-')
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  function openTemp(): { store: RetentionStore; path: string } {
    const path = join(scratch(), 'store.db')
    const store = openRetentionStore(path)
    cleanups.push(() => store.close())
    return { store, path }
  }

  function headOf(store: RetentionStore, slug: string, pubkey = pk): string {
    const read = store.personas.read(pubkey, slug)
    return read.status === 'present' ? read.event.id : read.status
  }

  test('one row per address holding the complete signed event, returned unchanged', covers('AP-STORE-1'), () => {
    const { store, path } = openTemp()
    const versions = [1000, 1001, 1002].map((t) => signPersona(sk, 'a', { ...body, system_prompt: `v${t}` }, t))
    for (const version of versions) store.personas.put(version)
    const raw = new Database(path, { readonly: true })
    expect(raw.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 })
    raw.close()
    const read = store.personas.read(pk, 'a')
    expect(read.status === 'present' && read.event).toEqual(plainEvent(versions[2]!))
  })

  test('a newer created_at replaces the head; an older one is kept out as duplicate', covers('AP-STORE-2'), () => {
    const { store } = openTemp()
    const v1 = signPersona(sk, 'a', body, 1000)
    const v2 = signPersona(sk, 'a', { ...body, system_prompt: 'v2' }, 1001)
    expect(store.personas.put(v1)).toEqual({ status: 'stored', replaced: null })
    expect(store.personas.put(v2)).toEqual({ status: 'stored', replaced: v1.id })
    const stale = store.personas.put(v1)
    expect(stale.status === 'stale' && stale.message).toMatch(/^duplicate: have a newer version of a/)
    expect(headOf(store, 'a')).toBe(v2.id)
  })

  test('on equal created_at the lowest id wins, whichever arrives first', covers('AP-STORE-2'), () => {
    const x = signPersona(sk, 'tie', { ...body, system_prompt: 'x' }, 2000)
    const y = signPersona(sk, 'tie', { ...body, system_prompt: 'y' }, 2000)
    const [low, high] = x.id < y.id ? [x, y] : [y, x]
    const { store } = openTemp()
    store.personas.put(low)
    expect(store.personas.put(high).status).toBe('stale')
    const { store: other } = openTemp()
    other.personas.put(high)
    expect(other.personas.put(low).status).toBe('stored')
    expect([headOf(store, 'tie'), headOf(other, 'tie')]).toEqual([low.id, low.id])
  })

  test('refuses events that do not verify, are not personas or have a bad envelope', covers('AP-STORE-3'), () => {
    const { store } = openTemp()
    const event = signPersona(sk, 'a', body, 1000)
    expect(store.personas.put({ ...event, content: '{"display_name":"x","system_prompt":"y"}' })).toMatchObject({ status: 'invalid', message: 'invalid: event id does not match its fields' })
    expect(store.personas.put({ ...event, sig: 'f'.repeat(128) })).toMatchObject({ status: 'invalid', message: 'invalid: event signature does not verify' })
    expect(store.personas.put(signPersona(sk, 'Bad', body, 1000)).status).toBe('invalid')
    expect(store.personas.put(signPersona(sk, 'two', body, 1000, [['d', 'two'], ['d', 'd']])).status).toBe('invalid')
    expect(store.personas.put(finalizeEvent({ kind: 1, created_at: 1000, tags: [['d', 'a']], content: '' }, sk)).status).toBe('invalid')
    expect(store.personas.read(pk, 'a').status).toBe('missing')
  })

  test('rows are verified again when loaded: a tampered or misfiled row reads as corrupt and is left out of lists', covers('AP-STORE-3'), () => {
    const { store, path } = openTemp()
    const a = signPersona(sk, 'a', body, 1000)
    const b = signPersona(sk, 'b', body, 1000)
    store.personas.put(a)
    store.personas.put(b)
    store.personas.put(signPersona(sk, 'c', body, 1000))
    const raw = new Database(path)
    raw.prepare('UPDATE events SET raw = ? WHERE d_tag = ?').run(JSON.stringify({ ...a, content: '{"display_name":"evil","system_prompt":"x"}' }), 'a')
    // a valid event filed under another address
    raw.prepare('UPDATE events SET raw = ? WHERE d_tag = ?').run(JSON.stringify(b), 'c')
    raw.close()
    expect(store.personas.read(pk, 'a').status).toBe('corrupt')
    expect(store.personas.read(pk, 'c').status).toBe('corrupt')
    const listed = store.personas.list(pk)
    expect(listed.events.map((e) => e.id)).toEqual([b.id])
    expect(listed.corrupt.map((c) => c.key)).toEqual(['a', 'c'])
  })

  test('an a deletion covers versions up to its created_at; a later version resurrects the slug', covers('AP-STORE-4', 'AP-DEL-9'), () => {
    const { store } = openTemp()
    const head = signPersona(sk, 'gone', body, 1000)
    store.personas.put(head)
    const deletion = signDeletion(sk, 'gone', 1005)
    expect(store.personas.putDeletion(deletion)).toEqual({ status: 'stored', covered: [`30175:${pk}:gone`] })
    expect(store.personas.read(pk, 'gone')).toEqual({ status: 'deleted', deletion: plainEvent(deletion), head: plainEvent(head) })
    expect(store.personas.list(pk).events).toEqual([])
    // a version at the deletion's own second stays deleted
    store.personas.put(signPersona(sk, 'gone', body, 1005))
    expect(store.personas.read(pk, 'gone').status).toBe('deleted')
    expect(store.personas.lastTimestampOf(pk, 'gone')).toBe(1005)
    const back = signPersona(sk, 'gone', body, 1006)
    expect(store.personas.put(back).status).toBe('stored')
    expect(headOf(store, 'gone')).toBe(back.id)
    expect(store.personas.putDeletion(deletion).status).toBe('stale')
  })

  test('a deletion older than the head leaves it alone', covers('AP-STORE-4', 'AP-DEL-9'), () => {
    const { store } = openTemp()
    const head = signPersona(sk, 'kept', body, 2000)
    store.personas.put(head)
    expect(store.personas.putDeletion(signDeletion(sk, 'kept', 1999))).toEqual({ status: 'stored', covered: [] })
    expect(headOf(store, 'kept')).toBe(head.id)
    expect(store.personas.lastTimestampOf(pk, 'kept')).toBe(2000)
  })

  test('a deletion naming the head by id deletes the persona, in either arrival order; an older version does not come back', covers('AP-STORE-4', 'AP-DEL-9'), () => {
    const older = signPersona(sk, 'e', body, 1000)
    const head = signPersona(sk, 'e', { ...body, system_prompt: 'head' }, 1001)
    const byId = signIdDeletion(sk, head.id, 1002)
    const first = openTemp().store
    first.personas.put(head)
    expect(first.personas.putDeletion(byId)).toEqual({ status: 'stored', covered: [`30175:${pk}:e`] })
    expect(first.personas.put(older).status).toBe('stale')
    const second = openTemp().store
    second.personas.putDeletion(byId)
    second.personas.put(older)
    expect(headOf(second, 'e')).toBe(older.id)
    second.personas.put(head)
    for (const store of [first, second]) expect(store.personas.read(pk, 'e')).toMatchObject({ status: 'deleted', deletion: { id: byId.id } })
    // an e deletion is not an a deletion: it does not move T
    expect(first.personas.lastTimestampOf(pk, 'e')).toBe(1001)
  })

  test("a deletion signed by another key deletes nothing", covers('AP-DEL-9', 'AP-KIND-2'), () => {
    const { store } = openTemp()
    const head = signPersona(sk, 'mine', body, 1000)
    store.personas.put(head)
    const intruder = generateSecretKey()
    const foreignAddress = finalizeEvent({ kind: DeletionKind, created_at: 1001, tags: [['a', `30175:${pk}:mine`]], content: '' }, intruder)
    expect(store.personas.putDeletion(foreignAddress)).toMatchObject({ status: 'invalid' })
    expect(store.personas.putDeletion(signIdDeletion(intruder, head.id, 1001))).toEqual({ status: 'stored', covered: [] })
    expect(headOf(store, 'mine')).toBe(head.id)
  })

  test('a tampered deletion row makes the persona unreadable rather than silently present', covers('AP-STORE-3'), () => {
    const { store, path } = openTemp()
    store.personas.put(signPersona(sk, 'x', body, 1000))
    const deletion = signDeletion(sk, 'x', 999)
    store.personas.putDeletion(deletion)
    const raw = new Database(path)
    raw.prepare('UPDATE deletions SET raw = ? WHERE id = ?').run(JSON.stringify({ ...deletion, created_at: 2000 }), deletion.id)
    raw.close()
    expect(store.personas.read(pk, 'x').status).toBe('corrupt')
  })

  test('two owners hold the same slug independently', covers('AP-KIND-2', 'AP-STORE-1'), () => {
    const { store } = openTemp()
    const other = generateSecretKey()
    store.personas.put(signPersona(sk, 'same', body, 1000))
    store.personas.put(signPersona(other, 'same', { ...body, display_name: 'Other' }, 999))
    store.personas.putDeletion(signDeletion(other, 'same', 1000))
    expect(store.personas.read(pk, 'same').status).toBe('present')
    expect(store.personas.read(getPublicKey(other), 'same').status).toBe('deleted')
    expect(store.personas.list().events).toHaveLength(1)
  })

  test("an owner's history is any persona head or persona deletion of theirs", () => {
    const { store } = openTemp()
    const other = generateSecretKey()
    expect(store.personas.hasOwnerHistory(pk)).toBe(false)
    store.personas.put(signPersona(other, 'theirs', body, 1000))
    expect(store.personas.hasOwnerHistory(pk)).toBe(false)
    store.personas.putDeletion(signDeletion(sk, 'long-gone', 1000))
    expect(store.personas.hasOwnerHistory(pk)).toBe(true)
  })
})
