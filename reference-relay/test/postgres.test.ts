/**
 * Several relay instances on one PostgreSQL database (one throwaway cluster for this file;
 * skipped loudly without PostgreSQL binaries, failed instead when NIP_AP_REQUIRE_POSTGRES=1):
 *
 * - the batch locks: two stores deciding one address at the same moment cannot both win;
 * - the live feed: another instance's events arrive with their commit numbers, from the
 *   NOTIFY payload or from relay_live, also after the listener connection was dropped;
 * - two relay processes over the wire: reads, live delivery, ties, deletions and SIGKILL.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PgBackend, type PgBackendOptions } from '../src/storage/pg-backend.ts'
import { PgStore } from '../src/storage/pg-store.ts'
import { OriginWriteRules } from '../src/storage/write-rules.ts'
import { LocklessPgStore } from '../test-support/lockless-pg-store.ts'
import { type Cluster, skipPostgres, startCluster, warnIfSkipped } from '../test-support/postgres-cluster.ts'
import { deletion, type Key, newKey, nowSeconds, persona, sign, startTestRelay, TestClient, tiedVersions } from './helpers.ts'
import { checkOriginHistory, writeOriginHistory } from './origin-history.ts'

warnIfSkipped('the multi-instance PostgreSQL tests (reference-relay/test/postgres.test.ts)')

const root = resolve(import.meta.dirname, '../..')
const main = join(root, 'reference-relay/src/main.ts')

let cluster: Cluster
let admin: pg.Client
let schemas = 0

/** A fresh schema of the cluster's database: each test its own relay data. */
const freshUrl = () => cluster.url('postgres', { schema: `t${++schemas}` })

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

interface Received {
  events: Array<{ event: NostrEvent; commit: number }>
  lost: string[]
}

function sinkOf(backend: PgBackend): Received {
  const received: Received = { events: [], lost: [] }
  backend.live.attach({ publish: (event, commit) => received.events.push({ event, commit }), lost: (m) => received.lost.push(m) })
  return received
}

describe.skipIf(skipPostgres)('PostgreSQL, several instances on one database', { timeout: 120_000 }, () => {
  const opened: Array<{ close(): Promise<void> }> = []
  const children: ChildProcess[] = []

  beforeAll(async () => {
    cluster = await startCluster()
    admin = new pg.Client({ connectionString: cluster.url('postgres') })
    await admin.connect()
  }, 120_000)

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL')
    await Promise.allSettled(opened.map((o) => o.close()))
    await admin?.end().catch(() => {})
    await cluster?.stop()
  }, 60_000)

  async function backend(url: string, feed: PgBackendOptions['feed'] = {}) {
    const b = await PgBackend.open({ url, log: () => {}, feed })
    opened.push(b)
    return b
  }

  describe('batch locks', () => {
    /**
     * Holds the commit counter row from a third connection, so that a batch waits there
     * before it commits; sends the low version of a tie pair through one store, and once it
     * waits, the high one through the other; then lets both go.
     */
    async function raceTie(store: typeof PgStore = PgStore) {
      const url = freshUrl()
      const [a, b] = await Promise.all([store.open({ url }), store.open({ url })])
      opened.push(a, b)
      const key = newKey()
      const [low, high] = tiedVersions(key, 'race', 1_700_000_000) as [NostrEvent, NostrEvent]
      const waiting = async (n: number) => {
        const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')
        return (rows[0]?.n ?? 0) >= n
      }
      const holder = new pg.Client({ connectionString: cluster.url('postgres') })
      await holder.connect()
      try {
        await holder.query('BEGIN')
        await holder.query(`SELECT n FROM ${a.tables.commits} WHERE id = 1 FOR UPDATE`)
        const first = b.writeBatch([low])
        await until('the first batch to wait', () => waiting(1))
        const second = a.writeBatch([high])
        // The second waits on the author lock, or, without it, on the counter row too.
        await until('the second batch to wait', () => waiting(2))
        await holder.query('COMMIT')
        const [onLow, onHigh] = await Promise.all([first, second])
        return { low, onLow: onLow.decisions[0], onHigh: onHigh.decisions[0], versions: await a.versionsOf(`30175:${key.pk}:race`) }
      } finally {
        await holder.end()
      }
    }

    test('a tie pair decided at the same moment by two stores: the lowest id is the only head, the other answered duplicate', async () => {
      const { low, onLow, onHigh, versions } = await raceTie()
      expect(versions.map((e) => e.id)).toEqual([low.id])
      expect(onLow?.verdict).toBe('stored')
      expect(onHigh).toMatchObject({ verdict: 'stale', accepted: true, fanOut: false })
      expect(onHigh?.message).toMatch(/^duplicate: /)
    })

    test('the author lock is what orders them: without it both versions are stored', async () => {
      const { onLow, onHigh, versions } = await raceTie(LocklessPgStore)
      expect([onLow?.verdict, onHigh?.verdict]).toEqual(['stored', 'stored'])
      expect(versions).toHaveLength(2)
    })

    test('the loser of two writes to one address is answered duplicate: whichever commits second', async () => {
      const url = freshUrl()
      const [a, b] = await Promise.all([PgStore.open({ url }), PgStore.open({ url })])
      opened.push(a, b)
      const key = newKey()
      for (let round = 0; round < 10; round++) {
        const [low, high] = tiedVersions(key, `pair-${round}`, 1_700_000_000 + round) as [NostrEvent, NostrEvent]
        const [onA, onB] = await Promise.all([a.writeBatch([high]), b.writeBatch([low])])
        const highDecision = onA.decisions[0]
        const lowDecision = onB.decisions[0]
        // Lowest id wins whatever the order: the low one is always stored; the high one is
        // stored only when it committed first (then superseded), else answered duplicate.
        expect(lowDecision?.verdict).toBe('stored')
        if (onA.commit > onB.commit) expect(highDecision?.message).toMatch(/^duplicate: /)
        else expect(highDecision?.verdict).toBe('stored')
        expect((await a.versionsOf(`30175:${key.pk}:pair-${round}`)).map((e) => e.id)).toEqual([low.id])
      }
    })
  })

  describe('live feed', () => {
    test("another instance's events arrive with its commit numbers, from the payload or, when too large, from relay_live", async () => {
      const url = freshUrl()
      const a = await backend(url)
      const b = await backend(url)
      const onA = sinkOf(a)
      const onB = sinkOf(b)
      const key = newKey()
      const small = sign(key, { kind: 1, content: 'small' })
      const large = sign(key, { kind: 1, content: 'x'.repeat(20_000) })
      const first = await a.writer.writeBatch([small])
      const second = await a.writer.writeBatch([large, small])
      await until('both commits on B', () => onB.events.length >= 2)
      expect(onB.events.map(({ event, commit }) => [event.id, commit])).toEqual([
        [small.id, first.commit],
        [large.id, second.commit],
      ])
      expect(second.decisions.map((d) => d.verdict)).toEqual(['stored', 'duplicate'])
      expect(b.feed.stats.fromPayload).toBeGreaterThanOrEqual(1)
      expect(b.feed.stats.fetchedRows).toBeGreaterThanOrEqual(1)
      // An instance's own events reach its monitor from its writer, not from the feed.
      expect(onA.events).toEqual([])
    })

    test('after the listener connection is dropped, it reconnects and delivers every commit it missed, in order', async () => {
      const url = freshUrl()
      const a = await backend(url)
      const b = await backend(url, { reconnectMinMs: 500 })
      const onB = sinkOf(b)
      const key = newKey()
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`nip-ap-relay listener ${b.store.origin}`])
      await until('the listener to notice', () => !b.feed.listening)
      const events = Array.from({ length: 30 }, (_, i) => sign(key, { kind: 1, content: `while away ${i}` }))
      const commits: number[] = []
      for (const event of events) commits.push((await a.writer.writeBatch([event])).commit)
      await until('every missed commit on B', () => onB.events.length >= events.length)
      expect(onB.events.map(({ event, commit }) => [event.id, commit])).toEqual(events.map((e, i) => [e.id, commits[i]]))
      expect(b.feed.stats.reconnects).toBeGreaterThanOrEqual(1)
      expect(onB.lost).toEqual([])
    })

    test('commits pruned before a dropped listener came back are reported lost, never skipped silently', async () => {
      const url = freshUrl()
      const a = await backend(url)
      const b = await backend(url, { reconnectMinMs: 1_500 })
      const onB = sinkOf(b)
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`nip-ap-relay listener ${b.store.origin}`])
      await until('the listener to notice', () => !b.feed.listening)
      await a.writer.writeBatch([sign(newKey(), { kind: 1, content: 'pruned before delivery' })])
      await a.store.pruneLive(0)
      await until('the loss to be reported', () => onB.lost.length > 0)
      expect(onB.lost[0]).toMatch(/^error: /)
      expect(onB.events).toEqual([])
      // Later commits are delivered again.
      const later = sign(newKey(), { kind: 1, content: 'after the loss' })
      await a.writer.writeBatch([later])
      await until('the next commit on B', () => onB.events.length > 0)
      expect(onB.events.map(({ event }) => event.id)).toEqual([later.id])
    })
  })

  describe('a relay whose feed missed commits it cannot recover', () => {
    test('ends every subscription with CLOSED error:, and later events reach new subscriptions', async () => {
      const url = freshUrl()
      const writer = await backend(url)
      let feed: PgBackend | undefined
      const relay = await startTestRelay({}, {}, {
        openStore: async () => (feed = await PgBackend.open({ url, log: () => {}, feed: { reconnectMinMs: 1_500 } })),
      })
      opened.push(relay)
      const client = await TestClient.connect(relay.url, { waitMs: 30_000 })
      try {
        const key = newKey()
        expect((await client.req('notes', { kinds: [1], authors: [key.pk] })).events).toEqual([])
        // A positive control first: another instance's event is delivered live.
        const seen = sign(key, { kind: 1, content: 'delivered' })
        await writer.writer.writeBatch([seen])
        expect((await client.live('notes')).id).toBe(seen.id)
        const origin = (feed as PgBackend).store.origin
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`nip-ap-relay listener ${origin}`])
        await until('the listener to notice', () => !(feed as PgBackend).feed.listening)
        await writer.writer.writeBatch([sign(key, { kind: 1, content: 'pruned before delivery' })])
        await writer.store.pruneLive(0)
        const closed = await client.next((f) => f[0] === 'CLOSED' && f[1] === 'notes')
        expect(closed[2]).toMatch(/^error: /)
        expect((await client.req('again', { kinds: [1], authors: [key.pk], limit: 0 })).events).toEqual([])
        const later = sign(key, { kind: 1, content: 'after the loss' })
        await writer.writer.writeBatch([later])
        expect((await client.live('again')).id).toBe(later.id)
      } finally {
        client.close()
      }
    })
  })

  describe('origin mode', () => {
    test('schema version 3: a version 2 origin-mode database remembers the targets of its e deletions as removed', async () => {
      const url = freshUrl()
      const first = await PgStore.open({ url, rules: 'origin' })
      opened.push(first)
      const key = newKey()
      const note = sign(key, { kind: 1, content: 'to be deleted' })
      const old = persona(key, 'v2', nowSeconds() - 20)
      const head = persona(key, 'v2', nowSeconds() - 10)
      const written = await first.writeBatch([note, old, head, deletion(key, [['e', note.id]])], OriginWriteRules)
      expect(written.decisions.map((d) => d.verdict)).toEqual(['stored', 'stored', 'stored', 'stored'])
      await first.close()
      // As a version 2 database had it: no record of removed events.
      await admin.query(`DROP TABLE ${first.tables.removed}; UPDATE ${first.tables.version} SET version = 2`)
      const second = await PgStore.open({ url, rules: 'origin' })
      opened.push(second)
      const { rows } = await admin.query(`SELECT id, pubkey FROM ${second.tables.removed}`)
      expect(rows).toEqual([{ id: note.id, pubkey: key.pk }])
      const again = await second.writeBatch([note, deletion(key, [['e', note.id]], nowSeconds() + 1), deletion(key, [['e', old.id]])], OriginWriteRules)
      // The superseded version was removed before version 3: it is not held any more.
      expect(again.decisions.map((d) => [d.verdict, d.message])).toEqual([
        ['duplicate', 'duplicate:'],
        ['stored', ''],
        ['refused', 'invalid: target event not found'],
      ])
      const version = await admin.query(`SELECT version FROM ${second.tables.version}`)
      expect(version.rows).toEqual([{ version: 3 }])
    })

    test('a thread, a deletion and a persona written by one relay are served and decided by after a restart on the same database', async () => {
      const url = freshUrl()
      const first = await startTestRelay({ origin: true, db: url })
      let history
      try {
        history = await writeOriginHistory(first.url, first.httpUrl)
      } finally {
        await first.close()
      }
      const second = await startTestRelay({ origin: true, db: url })
      try {
        await checkOriginHistory(second.url, second.httpUrl, history)
        // One database, one mode: an open-mode relay is refused while the origin one runs on it.
        await expect(startTestRelay({ db: url })).rejects.toThrow(/^error: postgres:\/\/\S+ belongs to origin mode \(written with --origin\); start the relay with --origin/)
      } finally {
        await second.close()
      }
    })
  })

  describe('two relay processes on one database', () => {
    function startRelay(url: string): Promise<{ child: ChildProcess; url: string; exited: Promise<NodeJS.Signals | null> }> {
      const child = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', '--quiet', '--pg', url], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
      children.push(child)
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)))
      return new Promise((resolveStart, reject) => {
        let out = ''
        let err = ''
        child.stderr?.on('data', (d) => (err += d))
        child.stdout?.on('data', (d) => {
          out += d
          const match = /listening (ws:\/\/\S+)\n/.exec(out)
          if (match?.[1]) resolveStart({ child, url: match[1], exited })
        })
        void exited.then((signal) => reject(new Error(`relay exited early (${signal}): ${err}`)))
      })
    }

    let a: Awaited<ReturnType<typeof startRelay>>
    let b: Awaited<ReturnType<typeof startRelay>>
    const clients: TestClient[] = []
    const connect = async (url: string) => {
      const client = await TestClient.connect(url, { waitMs: 30_000 })
      clients.push(client)
      return client
    }

    beforeAll(async () => {
      if (skipPostgres) return
      const url = freshUrl()
      ;[a, b] = await Promise.all([startRelay(url), startRelay(url)])
    }, 120_000)

    afterAll(() => {
      for (const client of clients) client.close()
    })

    const addressFilter = (key: Key, slug: string) => ({ kinds: [30175], authors: [key.pk], '#d': [slug] })

    test('published on A: served by REQ on B and delivered live to a subscriber on B', async () => {
      const [onA, onB] = await Promise.all([connect(a.url), connect(b.url)])
      const key = newKey()
      const stored = persona(key, 'stored-first')
      await onA.store(stored)
      expect(await onB.ids('q', { ids: [stored.id] })).toEqual([stored.id])

      expect((await onB.req('live', { authors: [key.pk], kinds: [1] })).events).toEqual([])
      const note = sign(key, { kind: 1, content: 'to B live' })
      await onA.store(note)
      expect((await onB.live('live')).id).toBe(note.id)
    })

    test('a tie pair sent to A and B at once: the lowest id is head on both, and only events stored are delivered live', async () => {
      const [pubA, pubB, subA, subB] = await Promise.all([connect(a.url), connect(b.url), connect(a.url), connect(b.url)])
      const key = newKey()
      const rounds = 6
      for (const sub of [subA, subB]) expect((await sub.req('ties', { kinds: [30175], authors: [key.pk] })).events).toEqual([])
      const answers: Array<{ low: NostrEvent; high: NostrEvent; onHigh: { accepted: boolean; message: string }; onLow: { accepted: boolean; message: string } }> = []
      for (let round = 0; round < rounds; round++) {
        const [low, high] = tiedVersions(key, `tie-${round}`, nowSeconds() - rounds + round) as [NostrEvent, NostrEvent]
        const [onHigh, onLow] = await Promise.all([pubA.publish(high), pubB.publish(low)])
        answers.push({ low, high, onHigh, onLow })
      }
      for (const { low, onHigh, onLow } of answers) {
        expect(onLow).toEqual({ accepted: true, message: '' })
        expect(onHigh.accepted).toBe(true)
        expect(onHigh.message === '' || onHigh.message.startsWith('duplicate: ')).toBe(true)
        for (const reader of [pubA, pubB]) expect(await reader.ids('head', addressFilter(key, low.tags[0]?.[1] as string))).toEqual([low.id])
      }
      // Every low version reaches both subscribers; a high one only when it was stored. A
      // marker written on the other instance comes through the feed after every earlier commit.
      const storedIds = new Set(answers.flatMap(({ low, high, onHigh }) => (onHigh.message === '' ? [low.id, high.id] : [low.id])))
      const markers = [persona(key, 'marker-a'), persona(key, 'marker-b')]
      await Promise.all([pubA.store(markers[0] as NostrEvent), pubB.store(markers[1] as NostrEvent)])
      const markerIds = new Set(markers.map((m) => m.id))
      for (const sub of [subA, subB]) {
        const delivered = new Set<string>()
        await until('both markers', async () => {
          for (const frame of sub.pending()) if (frame[0] === 'EVENT' && frame[1] === 'ties') delivered.add((frame[2] as NostrEvent).id)
          return [...markerIds].every((id) => delivered.has(id))
        })
        expect([...delivered].filter((id) => !markerIds.has(id)).sort()).toEqual([...storedIds].sort())
      }
    })

    test('a deletion sent to B removes the head A stored, for readers of both', async () => {
      const [onA, onB] = await Promise.all([connect(a.url), connect(b.url)])
      const key = newKey()
      const head = persona(key, 'to-delete')
      await onA.store(head)
      expect(await onB.ids('before', addressFilter(key, 'to-delete'))).toEqual([head.id])
      await onB.store(deletion(key, [['a', `30175:${key.pk}:to-delete`]], head.created_at + 1))
      expect(await onA.ids('after-a', addressFilter(key, 'to-delete'))).toEqual([])
      expect(await onB.ids('after-b', addressFilter(key, 'to-delete'))).toEqual([])
      // The deleted version sent again to A stays deleted.
      expect((await onA.publish(head)).message).toMatch(/^blocked: /)
    })

    test('SIGKILL of A: every event it acknowledged is served by B', async () => {
      const onA = await connect(a.url)
      const key = newKey()
      const events = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? sign(key, { kind: 1, content: `n${i}` }) : persona(key, `k-${i}`)))
      const acked = new Set<string>()
      let killed = false
      for (const event of events) {
        void onA.next((f) => f[0] === 'OK' && f[1] === event.id, 60_000).then(
          (frame) => {
            if (frame[2] === true) acked.add(event.id)
            if (acked.size >= 100 && !killed) {
              killed = true
              a.child.kill('SIGKILL')
            }
          },
          () => {},
        )
        onA.send(['EVENT', event])
      }
      expect(await a.exited).toBe('SIGKILL')
      expect(acked.size).toBeGreaterThanOrEqual(100)
      const onB = await connect(b.url)
      const found = new Set(await onB.ids('kept', { ids: [...acked] }))
      expect([...acked].filter((id) => !found.has(id))).toEqual([])
    })
  })
})
