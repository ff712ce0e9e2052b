/**
 * One storage suite, run against every backend: memory, SQLite and PostgreSQL (a throwaway
 * cluster started for this file; skipped loudly when the machine has no PostgreSQL, failed
 * instead when NIP_AP_REQUIRE_POSTGRES=1). The synchronous stores run it through
 * `asyncStore`, the same shape the PostgreSQL store has.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fc, test as propTest } from '@fast-check/vitest'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { compareForQuery, type Filter } from '../../../spec/model/filter.ts'
import { matchFilterInScope } from '../../../spec/model/scope.ts'
import { selectThreadReplies, selectTopLevel, type ThreadedEvent, type ThreadMeta } from '../../../spec/model/thread-query.ts'
import Database from 'better-sqlite3'
import pg from 'pg'
import { type Cluster, skipPostgres, startCluster, warnIfSkipped } from '../../test-support/postgres-cluster.ts'
import { type AsyncEventStore, asyncStore } from './async-store.ts'
import { MemoryStore } from './memory-store.ts'
import { PgStore } from './pg-store.ts'
import { SqliteStore } from './sqlite-store.ts'
import { writeBatchSync } from './batch.ts'
import { OriginWriteRules, SpecWriteRules } from './write-rules.ts'

const dir = mkdtempSync(join(tmpdir(), 'relay-store-'))
let fileCounter = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Backend {
  name: string
  skip?: boolean
  setup?: () => Promise<void>
  teardown?: () => Promise<void>
  open(): Promise<AsyncEventStore>
  /** Opens the same data again (durable backends only). */
  reopen?: (previous: AsyncEventStore) => Promise<AsyncEventStore>
}

const paths = new WeakMap<AsyncEventStore, string>()
const openSqlite = (path: string) => {
  const store = asyncStore(new SqliteStore(path))
  paths.set(store, path)
  return store
}

warnIfSkipped('the PostgreSQL run of the storage suite (event-store.test.ts)')
// Started at once, so initdb overlaps the memory and SQLite runs.
const clusterStart: Promise<Cluster | Error> | null = skipPostgres ? null : startCluster().catch((error: Error) => error)
let cluster: Cluster | undefined
/** One store shared by the PostgreSQL runs, emptied for each (connections are slow to open on a loaded machine). */
let shared: PgStore | undefined
/** The connection that empties it between runs. */
let admin: pg.Client | undefined
const pgUrl = () => (cluster as Cluster).url('postgres', { schema: 'suite' })

async function emptied(store: PgStore): Promise<AsyncEventStore> {
  const t = store.tables
  await (admin as pg.Client).query(
    `DELETE FROM ${t.tags}; DELETE FROM ${t.events}; DELETE FROM ${t.removed}; DELETE FROM ${t.live}; UPDATE ${t.commits} SET n = 0; UPDATE ${t.livePruned} SET through = 0`,
  )
  // Closing a run's store leaves the shared one open.
  return new Proxy(store, {
    get: (target, key) => {
      if (key === 'close') return async () => {}
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

const backends: Backend[] = [
  { name: 'memory', open: async () => asyncStore(new MemoryStore()) },
  {
    name: 'sqlite',
    open: async () => openSqlite(join(dir, `store-${++fileCounter}.db`)),
    reopen: async (previous) => {
      const path = paths.get(previous) as string
      await previous.close()
      return openSqlite(path)
    },
  },
  {
    name: 'PostgreSQL',
    skip: skipPostgres,
    setup: async () => {
      const started = await clusterStart
      if (started === null || started instanceof Error) {
        throw started ?? new Error('PostgreSQL is required (NIP_AP_REQUIRE_POSTGRES=1) but its binaries were not found')
      }
      cluster = started
      shared = await PgStore.open({ url: pgUrl() })
      admin = new pg.Client({ connectionString: cluster.url('postgres') })
      await admin.connect()
    },
    teardown: async () => {
      await admin?.end()
      await shared?.close()
      await cluster?.stop()
    },
    open: () => emptied(shared as PgStore),
    // A store of its own, with connections of its own, on the same data.
    reopen: async (previous) => {
      await previous.close()
      return PgStore.open({ url: pgUrl() })
    },
  },
]

const hex = (n: number, width = 64) => n.toString(16).padStart(width, '0')
const alice = hex(0xa11ce)
const bob = hex(0xb0b)

let counter = 0
function event(fields: Partial<NostrEvent> = {}): NostrEvent {
  counter += 1
  return {
    id: hex(counter),
    pubkey: alice,
    created_at: 1_000_000 + counter,
    kind: 1,
    tags: [],
    content: `event ${counter}`,
    sig: hex(counter, 128),
    ...fields,
  }
}

for (const backend of backends) {
  describe.skipIf(backend.skip === true)(`EventStore: ${backend.name}`, () => {
    let store: AsyncEventStore
    if (backend.setup) beforeAll(backend.setup, 120_000)
    if (backend.teardown) afterAll(backend.teardown)
    beforeEach(async () => {
      store = await backend.open()
    })
    afterEach(() => store.close())

    test('stores an event once and returns it by id, unchanged', async () => {
      const e = event({ tags: [['t', 'x'], ['alt', 'long name tag']] })
      expect(await store.insert(e)).toBe(true)
      expect(await store.insert(e)).toBe(false)
      expect(await store.has(e.id)).toBe(true)
      expect(await store.get(e.id)).toEqual(e)
      expect(await store.size()).toBe(1)
    })

    test('removes an event and forgets its tags', async () => {
      const e = event({ tags: [['t', 'gone']] })
      await store.insert(e)
      expect(await store.remove(e.id)).toBe(true)
      expect(await store.remove(e.id)).toBe(false)
      expect(await store.has(e.id)).toBe(false)
      expect(await store.query({ '#t': ['gone'] })).toEqual([])
    })

    test('lists every stored version of an address', async () => {
      const a = event({ kind: 30175, tags: [['d', 'slug']] })
      const b = event({ kind: 30175, tags: [['d', 'slug']] })
      const other = event({ kind: 30175, tags: [['d', 'other']] })
      const profile = event({ kind: 0 })
      for (const e of [a, b, other, profile]) await store.insert(e)
      expect((await store.versionsOf(`30175:${alice}:slug`)).map((e) => e.id).sort()).toEqual([a.id, b.id].sort())
      expect(await store.versionsOf(`0:${alice}:`)).toEqual([profile])
      expect(await store.versionsOf(`30175:${bob}:slug`)).toEqual([])
    })

    test('finds versions by address whatever their d tags look like', async () => {
      // An empty d: no d tag, a d tag without a value, an empty value.
      const bare = event({ kind: 30175 })
      const valueless = event({ kind: 30175, tags: [['d']] })
      const empty = event({ kind: 30175, tags: [['d', '']] })
      // The first valued d tag is the address's; a later one names nothing.
      const second = event({ kind: 30175, tags: [['d'], ['d', 'x:y'], ['d', 'other']] })
      const stranger = event({ kind: 30175, pubkey: bob, tags: [['d', 'x:y']] })
      for (const e of [bare, valueless, empty, second, stranger]) await store.insert(e)
      const ids = async (address: string) => (await store.versionsOf(address)).map((e) => e.id).sort()
      expect(await ids(`30175:${alice}:`)).toEqual([bare.id, valueless.id, empty.id].sort())
      expect(await ids(`30175:${alice}:x:y`)).toEqual([second.id])
      expect(await ids(`30175:${alice}:other`)).toEqual([])
      expect(await ids(`30175:${bob}:x:y`)).toEqual([stranger.id])
      expect(await ids(`30176:${alice}:x:y`)).toEqual([])
      expect(await ids('not an address')).toEqual([])
    })

    test('answers newest first, equal created_at lowest id first, and honours limit', async () => {
      const t = 2_000_000
      const older = event({ created_at: t - 1 })
      const tieHigh = event({ id: hex(0xfff), created_at: t })
      const tieLow = event({ id: hex(0x001), created_at: t })
      for (const e of [older, tieHigh, tieLow]) await store.insert(e)
      expect((await store.query({ kinds: [1] })).map((e) => e.id)).toEqual([tieLow.id, tieHigh.id, older.id])
      expect((await store.query({ kinds: [1], limit: 2 })).map((e) => e.id)).toEqual([tieLow.id, tieHigh.id])
      expect(await store.query({ kinds: [1], limit: 0 })).toEqual([])
    })

    test('since and until are inclusive', async () => {
      const es = [10, 20, 30].map((created_at) => event({ created_at }))
      for (const e of es) await store.insert(e)
      expect((await store.query({ since: 20, until: 30 })).map((e) => e.created_at)).toEqual([30, 20])
      expect((await store.query({ since: 20, until: 20 })).map((e) => e.created_at)).toEqual([20])
    })

    test('matches ids, authors, kinds and tags; an empty list matches nothing', async () => {
      const a = event({ kind: 7, tags: [['e', hex(5)], ['p', bob]] })
      const b = event({ kind: 7, pubkey: bob, tags: [['e', hex(6)]] })
      await store.insert(a)
      await store.insert(b)
      expect(await store.query({ ids: [b.id] })).toEqual([b])
      expect(await store.query({ authors: [bob] })).toEqual([b])
      expect(await store.query({ kinds: [7], '#e': [hex(5), hex(9)] })).toEqual([a])
      expect(await store.query({ '#p': [bob], authors: [alice] })).toEqual([a])
      expect(await store.query({ ids: [] })).toEqual([])
      expect(await store.query({ '#e': [] })).toEqual([])
    })

    test('tag values compare as strings, even numeric ones', async () => {
      const e = event({ kind: 5, tags: [['k', '30175']] })
      await store.insert(e)
      expect(await store.query({ '#k': ['30175'] })).toEqual([e])
      expect(await store.query({ '#k': ['030175'] })).toEqual([])
    })

    test('tag values with U+0000, backslashes or thousands of characters are stored and matched exactly', async () => {
      const long = 'x'.repeat(5_000)
      const nearlyLong = `${'x'.repeat(4_999)}y` // the same first thousands of characters
      const note = event({ tags: [['t', 'a\0b'], ['t', long], ['t', 'back\\slash']] })
      const named = event({ kind: 30001, tags: [['d', `${long}\0`]] })
      const message = event({ kind: 9, tags: [['h', long]] })
      for (const e of [note, named, message]) await store.insert(e)
      expect(await store.query({ '#t': ['a\0b'] })).toEqual([note])
      expect(await store.query({ '#t': ['a\\0b'] })).toEqual([]) // an escape of U+0000 is not U+0000
      expect(await store.query({ '#t': ['back\\slash'] })).toEqual([note])
      expect(await store.query({ '#t': [long] })).toEqual([note])
      expect(await store.query({ '#t': [nearlyLong] })).toEqual([])
      expect(await store.versionsOf(`30001:${alice}:${long}\0`)).toEqual([named])
      expect(await store.versionsOf(`30001:${alice}:${long}`)).toEqual([])
      expect(await store.query({ '#h': [long] })).toEqual([message])
      expect(await store.query({ '#h': [nearlyLong] })).toEqual([])
      expect(await store.count([{ '#t': ['a\0b', long] }])).toBe(1)
    })

    test('a persona with an h tag is global: served to global reads, never to #h reads', async () => {
      const persona = event({ kind: 30175, tags: [['d', 'p'], ['h', 'room']] })
      const message = event({ kind: 9, tags: [['h', 'room']] })
      await store.insert(persona)
      await store.insert(message)
      expect(await store.query({ '#h': ['room'] })).toEqual([message])
      expect(await store.query({ kinds: [30175] })).toEqual([persona])
      expect(await store.count([{ '#h': ['room'] }])).toBe(1)
    })

    test('counts distinct events across filters and ignores limit', async () => {
      const es = [event({ kind: 1 }), event({ kind: 2 }), event({ kind: 3 })]
      for (const e of es) await store.insert(e)
      expect(await store.count([{ kinds: [1, 2] }, { kinds: [2, 3] }])).toBe(3)
      expect(await store.count([{ kinds: [1, 2, 3], limit: 1 }])).toBe(3)
      expect(await store.count([{ kinds: [4] }])).toBe(0)
    })

    test('a batch decides ties, re-sends and deletions as storage/batch.ts does; the next batch sees its effects', async () => {
      const address = `30175:${alice}:tie`
      const t = 3_000_000
      const low = event({ id: hex(0x10), kind: 30175, created_at: t, tags: [['d', 'tie']] })
      const high = event({ id: hex(0x20), kind: 30175, created_at: t, tags: [['d', 'tie']] })
      const first = await store.writeBatch([high, low, high])
      expect(first.decisions.map((d) => d.verdict)).toEqual(['stored', 'stored', 'stale'])
      expect(first.decisions[2]?.message).toMatch(/^duplicate: /)
      expect((await store.versionsOf(address)).map((e) => e.id)).toEqual([low.id])
      const removal = event({ kind: 5, created_at: t + 10, tags: [['a', address]] })
      const covered = event({ kind: 30175, created_at: t + 5, tags: [['d', 'tie']] })
      const second = await store.writeBatch([low, removal, covered])
      expect(second.decisions.map((d) => d.verdict)).toEqual(['duplicate', 'stored', 'blocked'])
      expect(second.commit).toBe(first.commit + 1)
      expect(await store.versionsOf(address)).toEqual([])
      expect(await store.get(removal.id)).toEqual(removal)
      expect(await store.lastCommit()).toBe(second.commit)
    })

    test('origin rules remember superseded and deleted events: never served, re-sends duplicate:, e deletions of them accepted and removing nothing', async () => {
      const t = 4_000_000
      const address = `30175:${alice}:soft`
      const old = event({ kind: 30175, created_at: t, tags: [['d', 'soft']] })
      const head = event({ kind: 30175, created_at: t + 10, tags: [['d', 'soft']] })
      const note = event({ created_at: t })
      const verdicts = async (batch: NostrEvent[], on = store) =>
        (await on.writeBatch(batch, OriginWriteRules)).decisions.map((d) => [d.verdict, d.accepted, d.message])
      const eDeletion = (target: NostrEvent, at: number, pubkey = alice) => event({ kind: 5, pubkey, created_at: at, tags: [['e', target.id]] })
      expect(await verdicts([old, note])).toEqual([['stored', true, ''], ['stored', true, '']])
      expect(await verdicts([head, eDeletion(note, t + 20)])).toEqual([['stored', true, ''], ['stored', true, '']])
      // Reads never see them: by id, by address, counted.
      expect(await store.query({ ids: [old.id, note.id] })).toEqual([])
      expect(await store.versionsOf(address)).toEqual([head])
      expect(await store.count([{ ids: [old.id, note.id] }])).toBe(0)
      const decide = async (on: AsyncEventStore) => {
        // Held: a re-send is a duplicate (not stale, not blocked); a deletion may name them (removing nothing).
        expect(await verdicts([old, note], on)).toEqual([['duplicate', true, 'duplicate:'], ['duplicate', true, 'duplicate:']])
        const again = [eDeletion(old, t + 30 + counter), eDeletion(note, t + 30 + counter)]
        expect(await verdicts(again, on)).toEqual([['stored', true, ''], ['stored', true, '']])
        expect(await on.versionsOf(address)).toEqual([head])
        expect(await on.query({ ids: [old.id, note.id] })).toEqual([])
        // Held by its author only: another author's deletion of one is refused; an id never held is not found.
        expect(await verdicts([eDeletion(old, t + 40 + counter, bob), eDeletion(event(), t + 40 + counter)], on)).toEqual([
          ['refused', false, 'invalid: must be event author'],
          ['refused', false, 'invalid: target event not found'],
        ])
      }
      await decide(store)
      if (backend.reopen !== undefined) {
        store = await backend.reopen(store)
        await decide(store)
      }
    })

    test('origin rules remember a version superseded within the batch that stored it', async () => {
      const t = 4_100_000
      const first = event({ kind: 30175, created_at: t, tags: [['d', 'brief']] })
      const second = event({ kind: 30175, created_at: t + 1, tags: [['d', 'brief']] })
      const { decisions } = await store.writeBatch([first, second, event({ kind: 5, created_at: t + 2, tags: [['e', first.id]] })], OriginWriteRules)
      expect(decisions.map((d) => d.verdict)).toEqual(['stored', 'stored', 'stored'])
      expect(await store.has(first.id)).toBe(false)
      expect((await store.writeBatch([first], OriginWriteRules)).decisions.map((d) => [d.verdict, d.message])).toEqual([['duplicate', 'duplicate:']])
    })

    test('the open rules remember nothing: a superseded version sent again is stale, a deleted event blocked', async () => {
      const t = 4_200_000
      const old = event({ kind: 30175, created_at: t, tags: [['d', 'open']] })
      const head = event({ kind: 30175, created_at: t + 10, tags: [['d', 'open']] })
      const note = event({ created_at: t })
      await store.writeBatch([old, head, note, event({ kind: 5, created_at: t + 20, tags: [['e', note.id]] })], SpecWriteRules)
      const { decisions } = await store.writeBatch([old, note], SpecWriteRules)
      expect(decisions.map((d) => d.verdict)).toEqual(['stale', 'blocked'])
      // Nothing was recorded for origin rules to find: the stored deletion still decides.
      expect((await store.writeBatch([note], OriginWriteRules)).decisions.map((d) => d.verdict)).toEqual(['blocked'])
    })

    propTest.prop([fc.array(arbEvent(), { maxLength: 25 }), fc.array(arbFilter(), { minLength: 1, maxLength: 6 })], {
      numRuns: 60,
    })('every filter answers exactly what spec/model matchFilterInScope selects, in query order', async (events, filters) => {
      const fresh = await backend.open()
      try {
        const stored = new Map<string, NostrEvent>()
        for (const e of events) if (await fresh.insert(e)) stored.set(e.id, e)
        for (const filter of filters) {
          const expected = [...stored.values()].filter((e) => matchFilterInScope(filter, e)).sort(compareForQuery)
          const limited = filter.limit === undefined ? expected : expected.slice(0, filter.limit)
          expect(await fresh.query(filter)).toEqual(limited)
        }
        const union = new Set([...stored.values()].filter((e) => filters.some((f) => matchFilterInScope(f, e))))
        expect(await fresh.count(filters)).toBe(union.size)
      } finally {
        await fresh.close()
      }
    })

    describe('thread facts and thread reads', () => {
      /** root R in `room`; a (depth 1), b (depth 1, broadcast), c (depth 2, broadcast under a), d (depth 3). */
      async function forest() {
        const tags = [['h', 'room']]
        const root = event({ kind: 9, tags })
        const a = event({ kind: 9, tags, pubkey: bob })
        const b = event({ kind: 9, tags: [...tags, ['broadcast', '1']] })
        const c = event({ kind: 9, tags: [...tags, ['broadcast', '1']] })
        const d = event({ kind: 9, tags })
        const article = event({ kind: 11, tags })
        const elsewhere = event({ kind: 9, tags: [['h', 'hall']] })
        const meta = (parent: NostrEvent | null, depth: number, broadcast = false): ThreadMeta => ({
          root: root.id,
          parent: parent?.id ?? null,
          depth,
          broadcast,
        })
        await store.insert(root, meta(null, 0))
        await store.insert(a, meta(root, 1))
        await store.insert(b, meta(root, 1, true))
        await store.insert(c, meta(a, 2, true))
        await store.insert(d, meta(c, 3))
        await store.insert(article)
        await store.insert(elsewhere, { root: elsewhere.id, parent: null, depth: 0, broadcast: false })
        return { root, a, b, c, d, article, elsewhere }
      }

      test('thread facts are stored with the event and read back', async () => {
        const { root, a, c, article } = await forest()
        expect(await store.getThreaded(c.id)).toEqual({ event: c, thread: { root: root.id, parent: a.id, depth: 2, broadcast: true } })
        expect((await store.getThreaded(root.id))?.thread).toEqual({ root: root.id, parent: null, depth: 0, broadcast: false })
        expect(await store.getThreaded(article.id)).toEqual({ event: article, thread: null })
        expect(await store.getThreaded(hex(999_999))).toBeUndefined()
      })

      test('replies under a root: depth 1..limit, never the root, oldest first, limited', async () => {
        const { root, a, b, c, d } = await forest()
        expect(await store.threadReplies({ root: root.id, depthLimit: 2, limit: 100 }, {})).toEqual([a, b, c])
        expect(await store.threadReplies({ root: root.id, depthLimit: 100, limit: Number.POSITIVE_INFINITY }, {})).toEqual([a, b, c, d])
        expect(await store.threadReplies({ root: root.id, depthLimit: 0, limit: 100 }, {})).toEqual([])
        expect(await store.threadReplies({ root: root.id, depthLimit: 5, limit: 2 }, {})).toEqual([a, b])
        expect(await store.threadReplies({ root: root.id, depthLimit: 5, limit: 100 }, { authors: [bob] })).toEqual([a])
        expect(await store.threadReplies({ root: a.id, depthLimit: 5, limit: 100 }, {})).toEqual([])
      })

      test('top level: roots, unthreaded channel events and depth-1 broadcasts, newest first', async () => {
        const { root, b, article } = await forest()
        expect(await store.topLevel({ channel: 'room', limit: 100 }, {})).toEqual([article, b, root])
        expect(await store.topLevel({ channel: 'room', limit: 1 }, { kinds: [9] })).toEqual([b])
        expect(await store.topLevel({ channel: 'room', limit: Number.POSITIVE_INFINITY }, { '#h': ['room'], authors: [bob] })).toEqual([])
      })

      test('thread facts go with the event', async () => {
        const { root, a, b } = await forest()
        await store.remove(b.id)
        expect(await store.getThreaded(b.id)).toBeUndefined()
        expect(await store.threadReplies({ root: root.id, depthLimit: 1, limit: 100 }, {})).toEqual([a])
        expect(await store.topLevel({ channel: 'room', limit: 100 }, { kinds: [9] })).toEqual([root])
      })

      propTest.prop([arbForest(), arbThreadRead(), arbFilter()], { numRuns: 60 })(
        'thread reads answer exactly what spec/model selects',
        async (entries, read, conditions) => {
          const fresh = await backend.open()
          try {
            for (const entry of entries) await fresh.insert(entry.event, entry.thread)
            const { limit: _limit, ...rest } = conditions
            const root = entries[read.rootIndex % Math.max(entries.length, 1)]?.event.id ?? hex(1)
            const threadQuery = { root, depthLimit: read.depthLimit, limit: read.limit }
            expect(await fresh.threadReplies(threadQuery, rest)).toEqual(selectThreadReplies(entries, threadQuery, rest))
            const topQuery = { channel: read.channel, limit: read.limit }
            expect(await fresh.topLevel(topQuery, rest)).toEqual(selectTopLevel(entries, topQuery, rest))
          } finally {
            await fresh.close()
          }
        },
      )
    })

    if (backend.reopen) {
      const reopen = backend.reopen
      test('thread facts survive reopening the file', async () => {
        const root = event({ kind: 9, tags: [['h', 'room']] })
        const reply = event({ kind: 9, tags: [['h', 'room'], ['broadcast', '1']] })
        await store.insert(root, { root: root.id, parent: null, depth: 0, broadcast: false })
        await store.insert(reply, { root: root.id, parent: root.id, depth: 1, broadcast: true })
        store = await reopen(store)
        expect((await store.getThreaded(reply.id))?.thread).toEqual({ root: root.id, parent: root.id, depth: 1, broadcast: true })
        expect(await store.threadReplies({ root: root.id, depthLimit: 1, limit: 10 }, {})).toEqual([reply])
      })

      test('committed events survive closing and reopening the file', async () => {
        const e = event({ kind: 30175, tags: [['d', 'kept']] })
        await store.insert(e)
        store = await reopen(store)
        expect(await store.get(e.id)).toEqual(e)
        expect(await store.versionsOf(`30175:${alice}:kept`)).toEqual([e])
      })

      test('a batch that fails part way leaves nothing of it behind', async () => {
        const kept = event({ kind: 30175, tags: [['d', 'atomic']] })
        await store.writeBatch([kept])
        const before = await store.lastCommit()
        const newer = event({ kind: 30175, tags: [['d', 'atomic']] })
        // JSON.stringify throws on a BigInt: this event fails while it is stored, after the
        // batch has already stored `newer` and removed `kept`, the version it supersedes.
        const unstorable = { ...event(), content: 1n as unknown as string }
        await expect(store.writeBatch([newer, unstorable])).rejects.toThrow(/BigInt/)
        expect(await store.has(newer.id)).toBe(false)
        expect(await store.versionsOf(`30175:${alice}:atomic`)).toEqual([kept])
        expect(await store.lastCommit()).toBe(before)
      })
    }
  })
}

describe('SQLite schema migration', () => {
  test('a version 1 file gains the thread columns; its rows have no thread facts', () => {
    const path = join(dir, 'schema-v1.db')
    const old = new Database(path)
    old.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, pubkey TEXT NOT NULL,
      created_at INTEGER NOT NULL, kind INTEGER NOT NULL, address TEXT, channel TEXT, raw TEXT NOT NULL);
      CREATE TABLE tags (seq INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);`)
    const legacy = event({ kind: 9, tags: [['h', 'room']] })
    old
      .prepare('INSERT INTO events (id, pubkey, created_at, kind, address, channel, raw) VALUES (?, ?, ?, ?, NULL, ?, ?)')
      .run(legacy.id, legacy.pubkey, legacy.created_at, legacy.kind, 'room', JSON.stringify(legacy))
    old.prepare("INSERT INTO tags (seq, name, value) VALUES (1, 'h', 'room')").run()
    old.pragma('user_version = 1')
    old.close()
    const store = new SqliteStore(path)
    try {
      expect(store.getThreaded(legacy.id)).toEqual({ event: legacy, thread: null })
      expect(store.topLevel({ channel: 'room', limit: 10 }, {})).toEqual([legacy])
      const reply = event({ kind: 9, tags: [['h', 'room']] })
      store.insert(reply, { root: legacy.id, parent: legacy.id, depth: 1, broadcast: false })
      expect(store.threadReplies({ root: legacy.id, depthLimit: 1, limit: 10 }, {})).toEqual([reply])
    } finally {
      store.close()
    }
  })
})

describe('SQLite schema versions 4 and 5', () => {
  test('a version 3 file loses the indexes versions 4 and 5 replace or do without, and is still read by address, author and time', () => {
    const path = join(dir, 'schema-v3.db')
    const first = new SqliteStore(path)
    const persona = event({ kind: 30175, tags: [['d', 'slug']] })
    first.insert(persona)
    first.close()
    const old = new Database(path)
    old.exec(`CREATE INDEX events_pubkey ON events (pubkey, created_at DESC, id);
      CREATE INDEX events_address ON events (address) WHERE address IS NOT NULL;
      CREATE INDEX events_created ON events (created_at DESC, id);
      CREATE INDEX events_kind ON events (kind, created_at DESC, id);
      CREATE INDEX events_pubkey_kind ON events (pubkey, kind, created_at DESC, id);`)
    old.pragma('user_version = 3')
    old.close()
    const store = new SqliteStore(path)
    try {
      expect(store.versionsOf(`30175:${alice}:slug`)).toEqual([persona])
      expect(store.query({ authors: [alice] })).toEqual([persona])
      expect(store.query({ kinds: [30175], limit: 1 })).toEqual([persona])
      expect(store.query({ since: persona.created_at, limit: 1 })).toEqual([persona])
    } finally {
      store.close()
    }
    const check = new Database(path, { readonly: true })
    const names = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>).map((r) => r.name)
    expect(check.pragma('user_version', { simple: true })).toBe(7)
    check.close()
    for (const stale of ['events_pubkey', 'events_address', 'events_created', 'events_kind', 'events_pubkey_kind']) expect(names).not.toContain(stale)
    for (const index of ['events_by_time', 'events_by_kind', 'events_by_author_kind']) expect(names).toContain(index)
  })
})

describe('SQLite schema version 7', () => {
  test('a file before version 7 has its tags moved into the table without rowid; reads by tag and removals work as before', () => {
    const path = join(dir, 'schema-v6-tags.db')
    const first = new SqliteStore(path)
    const old = event({ kind: 30175, created_at: 10, tags: [['d', 'moved'], ['t', 'x'], ['t', 'x']] })
    const other = event({ kind: 1, created_at: 11, tags: [['t', 'x']] })
    first.insert(old)
    first.insert(other)
    first.close()
    // Rebuild the tags as versions 1-6 kept them: a rowid table with two indexes, one row per tag (the duplicate too).
    const legacy = new Database(path)
    legacy.exec(`DROP TABLE tags;
      CREATE TABLE tags (seq INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
      CREATE INDEX tags_lookup ON tags (name, value, seq);
      CREATE INDEX tags_seq ON tags (seq);
      INSERT INTO tags (seq, name, value) VALUES (1, 'd', 'moved'), (1, 't', 'x'), (1, 't', 'x'), (2, 't', 'x');`)
    legacy.pragma('user_version = 6')
    legacy.close()
    const store = new SqliteStore(path)
    try {
      expect(store.query({ '#t': ['x'] })).toEqual([other, old])
      expect(store.versionsOf(`30175:${alice}:moved`)).toEqual([old])
      const head = event({ kind: 30175, created_at: 20, tags: [['d', 'moved']] })
      writeBatchSync(store, [head], SpecWriteRules)
      expect(store.versionsOf(`30175:${alice}:moved`)).toEqual([head])
      expect(store.query({ '#t': ['x'] })).toEqual([other])
    } finally {
      store.close()
    }
    const check = new Database(path, { readonly: true })
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(7)
      expect((check.prepare("SELECT sql FROM sqlite_master WHERE name = 'tags'").get() as { sql: string }).sql).toMatch(/WITHOUT ROWID/)
      const indexes = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tags'").all() as Array<{ name: string }>).map((r) => r.name)
      expect(indexes.filter((name) => !name.startsWith('sqlite_autoindex'))).toEqual([])
      // The superseded version's tags went with it; the other event's row stays.
      expect(check.prepare('SELECT name, value, seq FROM tags ORDER BY seq, name').all()).toEqual([
        { name: 't', value: 'x', seq: 2 },
        { name: 'd', value: 'moved', seq: 3 },
      ])
    } finally {
      check.close()
    }
  })
})

describe('SQLite schema version 6', () => {
  /** A file written by `rules` as before version 6: the events it removed are not remembered. */
  function version5File(name: string, rules: 'spec' | 'origin') {
    const path = join(dir, name)
    const store = new SqliteStore(path)
    store.settleRules(rules, path)
    const old = event({ kind: 30175, created_at: 10, tags: [['d', 'v5']] })
    const head = event({ kind: 30175, created_at: 20, tags: [['d', 'v5']] })
    const note = event({ created_at: 10 })
    const eDeletion = event({ kind: 5, created_at: 30, tags: [['e', note.id]] })
    writeBatchSync(store, [old, head, note, eDeletion], rules === 'origin' ? OriginWriteRules : SpecWriteRules)
    store.close()
    const raw = new Database(path)
    raw.exec('DROP TABLE removed')
    raw.pragma('user_version = 5')
    raw.close()
    return { path, old, note }
  }

  const removedRows = (path: string) => {
    const check = new Database(path, { readonly: true })
    try {
      return { version: check.pragma('user_version', { simple: true }), rows: check.prepare('SELECT id, pubkey FROM removed ORDER BY id').all() }
    } finally {
      check.close()
    }
  }

  test('an origin-mode file of version 5 records the targets of its e deletions as removed; its superseded versions are lost', () => {
    const { path, old, note } = version5File('v5-origin.db', 'origin')
    const store = new SqliteStore(path)
    try {
      expect(removedRows(path)).toEqual({ version: 7, rows: [{ id: note.id, pubkey: alice }] })
      const again = event({ kind: 5, created_at: 40, tags: [['e', note.id]] })
      const lost = event({ kind: 5, created_at: 40, tags: [['e', old.id]] })
      const { decisions } = writeBatchSync(store, [note, again, lost], OriginWriteRules)
      expect(decisions.map((d) => [d.verdict, d.message])).toEqual([
        ['duplicate', 'duplicate:'],
        ['stored', ''],
        ['refused', 'invalid: target event not found'],
      ])
    } finally {
      store.close()
    }
  })

  test('an open-mode file of version 5 gets the table and nothing in it, and writes nothing to it', () => {
    const { path, note } = version5File('v5-open.db', 'spec')
    const store = new SqliteStore(path)
    try {
      writeBatchSync(store, [note, event({ kind: 30175, created_at: 50, tags: [['d', 'v5']] })], SpecWriteRules)
    } finally {
      store.close()
    }
    expect(removedRows(path)).toEqual({ version: 7, rows: [] })
  })
})

/** A random forest of channel messages with consistent thread facts, plus unthreaded events. */
function arbForest(): fc.Arbitrary<ThreadedEvent[]> {
  const node = fc.record({
    parent: fc.option(fc.nat(), { nil: null }),
    broadcast: fc.boolean(),
    channel: fc.constantFrom('room', 'hall'),
    created_at: fc.integer({ min: 100, max: 106 }),
    pubkey: fc.constantFrom(...pubkeys),
    threaded: fc.boolean(),
    id: fc.integer({ min: 1, max: 10_000 }),
  })
  return fc.uniqueArray(node, { maxLength: 20, selector: (n) => n.id }).map((nodes) => {
    const entries: ThreadedEvent[] = []
    for (const n of nodes) {
      const tags = [['h', n.channel], ...(n.broadcast ? [['broadcast', '1']] : [])]
      const base = { id: hex(n.id), pubkey: n.pubkey, created_at: n.created_at, tags, content: '', sig: hex(7, 128) }
      if (!n.threaded) {
        entries.push({ event: { ...base, kind: 11 }, thread: null })
        continue
      }
      const threadedSoFar = entries.filter((e) => e.thread !== null)
      const parent = n.parent === null ? undefined : threadedSoFar[n.parent % Math.max(threadedSoFar.length, 1)]
      const event = { ...base, kind: 9 }
      const thread: ThreadMeta =
        parent?.thread == null
          ? { root: event.id, parent: null, depth: 0, broadcast: n.broadcast }
          : { root: parent.thread.root, parent: parent.event.id, depth: parent.thread.depth + 1, broadcast: n.broadcast }
      entries.push({ event, thread })
    }
    return entries
  })
}

function arbThreadRead() {
  return fc.record({
    rootIndex: fc.nat(),
    depthLimit: fc.integer({ min: 0, max: 4 }),
    limit: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(Number.POSITIVE_INFINITY)),
    channel: fc.constantFrom('room', 'hall', 'nowhere'),
  })
}

/** Small value pools so that filters and events actually meet. */
const pubkeys = [alice, bob]
const tagNames = ['e', 'p', 'h', 't', 'd']
const tagValues = ['room', 'x', 'y', hex(1)]
const kinds = [1, 9, 30175, 0, 5]

function arbEvent(): fc.Arbitrary<NostrEvent> {
  return fc
    .record({
      id: fc.integer({ min: 1, max: 400 }).map((n) => hex(n)),
      pubkey: fc.constantFrom(...pubkeys),
      created_at: fc.integer({ min: 100, max: 110 }),
      kind: fc.constantFrom(...kinds),
      tags: fc.array(
        fc.oneof(
          fc.tuple(fc.constantFrom(...tagNames), fc.constantFrom(...tagValues)).map(([n, v]) => [n, v]),
          fc.constantFrom<string[]>(['d'], ['alt', 'x'], ['h', ''], ['e', 'x', '', 'root']),
        ),
        { maxLength: 4 },
      ),
      content: fc.constant(''),
    })
    .map((e) => ({ ...e, sig: hex(7, 128) }))
}

function arbFilter(): fc.Arbitrary<Filter> {
  const list = <T>(values: T[]) => fc.uniqueArray(fc.constantFrom(...values), { maxLength: 3 })
  return fc
    .record(
      {
        ids: list([hex(1), hex(2), hex(3), hex(200)]),
        authors: list(pubkeys),
        kinds: list(kinds),
        since: fc.integer({ min: 99, max: 111 }),
        until: fc.integer({ min: 99, max: 111 }),
        limit: fc.integer({ min: 0, max: 6 }),
        '#h': list(tagValues),
        '#t': list(tagValues),
        '#e': list(tagValues),
      },
      { requiredKeys: [] },
    )
    .map((f) => f as Filter)
}
