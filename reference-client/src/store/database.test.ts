import { statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { covers } from '../testing/covers.ts'
import { plainEvent, signDeletion, signPersona } from '../testing/helpers.ts'
import { SchemaVersion } from './database.ts'
import { openRetentionStore } from './index.ts'
import { scratchDirs } from '../../../scripts/test-support/scratch-dirs.ts'

const body = { display_name: 'Helper', system_prompt: 'Help.' }

/** The version 1 schema as the client wrote it before deletions were kept whole. */
const version1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
CREATE TABLE events (kind INTEGER NOT NULL, pubkey TEXT NOT NULL, d_tag TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER NOT NULL, raw TEXT NOT NULL, PRIMARY KEY (kind, pubkey, d_tag));
CREATE TABLE tombstones (kind INTEGER NOT NULL, pubkey TEXT NOT NULL, d_tag TEXT NOT NULL, deletion_id TEXT NOT NULL, deleted_at INTEGER NOT NULL, raw TEXT NOT NULL, PRIMARY KEY (kind, pubkey, d_tag));
CREATE TABLE pending_sync (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, address TEXT NOT NULL, raw TEXT NOT NULL, enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, last_error TEXT, state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')));
CREATE TABLE persona_env (pubkey TEXT NOT NULL, slug TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (pubkey, slug, name));
`

describe('the store database', () => {
  const scratch = scratchDirs('persona-store-db-')
  const tempPath = (): string => join(scratch(), 'store.db')

  test('a new store file is created 0600', covers('AP-SEC-5'), () => {
    const path = tempPath()
    openRetentionStore(path).close()
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  test('a version 1 store is migrated: tombstones become deletions, everything else stays', covers('AP-STORE-4'), () => {
    const sk = generateSecretKey()
    const pk = getPublicKey(sk)
    const path = tempPath()
    const kept = signPersona(sk, 'kept', body, 1000)
    const deletion = signDeletion(sk, 'gone', 1005)
    const raw = new Database(path)
    raw.exec(version1)
    raw.prepare('INSERT INTO events VALUES (30175, ?, ?, ?, ?, ?)').run(pk, 'kept', kept.id, kept.created_at, JSON.stringify(kept))
    raw.prepare('INSERT INTO tombstones VALUES (30175, ?, ?, ?, ?, ?)').run(pk, 'gone', deletion.id, deletion.created_at, JSON.stringify(deletion))
    raw.prepare(`INSERT INTO persona_env VALUES (?, 'kept', 'TOKEN', 't')`).run(pk)
    raw.close()

    const store = openRetentionStore(path)
    expect(store.personas.read(pk, 'kept')).toEqual({ status: 'present', event: plainEvent(kept) })
    expect(store.personas.read(pk, 'gone')).toEqual({ status: 'deleted', deletion: plainEvent(deletion), head: null })
    expect(store.personas.lastTimestampOf(pk, 'gone')).toBe(1005)
    expect(store.env.read(pk, 'kept')).toEqual({ TOKEN: 't' })
    store.close()
    const check = new Database(path, { readonly: true })
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: String(SchemaVersion) })
    expect(check.prepare(`SELECT name FROM sqlite_master WHERE name = 'tombstones'`).get()).toBeUndefined()
    check.close()
  })

  test('a store written by a newer client is refused, not rewritten', () => {
    const path = tempPath()
    openRetentionStore(path).close()
    const raw = new Database(path)
    raw.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`).run()
    raw.close()
    expect(() => openRetentionStore(path)).toThrow(/^error: store .* has schema version 99, this client reads 2/)
  })

  test('one transaction spans every concern: a failure rolls all of them back', covers('AP-STORE-6'), () => {
    const store = openRetentionStore(':memory:')
    const sk = generateSecretKey()
    const event = signPersona(sk, 'a', body, 1000)
    expect(() =>
      store.transaction(() => {
        store.personas.put(event)
        store.queue.enqueue(event, 1000)
        store.env.set(event.pubkey, 'a', { K: 'v' })
        throw new Error('disk full')
      }),
    ).toThrow('disk full')
    expect(store.personas.read(event.pubkey, 'a').status).toBe('missing')
    expect(store.queue.count()).toEqual({ pending: 0, failed: 0 })
    expect(store.env.read(event.pubkey, 'a')).toEqual({})
    store.close()
  })
})
