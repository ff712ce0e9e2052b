import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startRelay } from '../../reference-relay/src/index.ts'
import { fetchPersona } from './fetch.ts'
import { buildPersonaEvent } from './publish.ts'
import { openRelay } from './relay.ts'
import type { RelayClient } from './relay-types.ts'
import { openRetentionStore, type RetentionStore } from './store/index.ts'
import { drainPendingSync, refreshPersonas } from './sync.ts'
import { nowSeconds, signPersona } from './testing/helpers.ts'
import { covers } from './testing/covers.ts'

type Relay = Awaited<ReturnType<typeof startRelay>>
const body = { display_name: 'Syncer', system_prompt: 'Sync.' }

async function connect(url: string): Promise<RelayClient> {
  const opened = await openRelay(url, { timeoutMs: 3000 })
  if (!opened.ok) throw new Error(opened.message)
  return opened.relay
}

function writeLocally(store: RetentionStore, sk: Uint8Array, slug: string, extra: Record<string, unknown> = {}): string {
  const pk = getPublicKey(sk)
  const built = buildPersonaEvent({ secretKey: sk, slug, body: { ...body, ...extra }, now: nowSeconds(), lastCreatedAt: store.personas.lastTimestampOf(pk, slug) })
  if (!built.ok) throw new Error(built.message)
  store.personas.put(built.event)
  store.queue.enqueue(built.event, nowSeconds())
  return built.event.id
}

describe('pending-sync queue against the reference relay', () => {
  let relay: Relay
  beforeAll(async () => {
    relay = await startRelay({ port: 0 })
  })
  afterAll(async () => {
    await relay.close()
  })

  test('writes made offline are published by the next drain, in order, and leave the queue', covers('AP-STORE-6', 'AP-STORE-7'), async () => {
    const sk = generateSecretKey()
    const pk = getPublicKey(sk)
    const store = openRetentionStore(':memory:')
    const a = writeLocally(store, sk, 'a')
    const b = writeLocally(store, sk, 'b')
    const a2 = writeLocally(store, sk, 'a', { system_prompt: 'Sync again.' })
    const client = await connect(relay.url)
    try {
      const report = await drainPendingSync(store, client, { now: nowSeconds, secretKey: sk })
      expect(report.sent.map((s) => s.id)).toEqual([b, a2])
      expect(report.remaining).toEqual({ pending: 0, failed: 0 })
      const onRelay = await fetchPersona(client, pk, 'a')
      expect(onRelay.status === 'found' && onRelay.event.id).toBe(a2)
      expect(a).not.toBe(a2)
    } finally {
      await client.close()
      store.close()
    }
  })

  test("an event that waited past the relay's clock window is re-stamped, re-signed and accepted", covers('AP-STORE-8'), async () => {
    const sk = generateSecretKey()
    const pk = getPublicKey(sk)
    const store = openRetentionStore(':memory:')
    const stale = signPersona(sk, 'late', body, nowSeconds() - 4000)
    store.personas.put(stale)
    store.queue.enqueue(stale, nowSeconds() - 4000)
    const client = await connect(relay.url)
    try {
      const report = await drainPendingSync(store, client, { now: nowSeconds, secretKey: sk })
      expect(report.restamped).toHaveLength(1)
      expect(report.sent).toHaveLength(1)
      const fresh = report.restamped[0]!.to
      const local = store.personas.read(pk, 'late')
      expect(local.status === 'present' && local.event.id).toBe(fresh)
      expect(local.status === 'present' && local.event.content).toBe(stale.content)
      const onRelay = await fetchPersona(client, pk, 'late')
      expect(onRelay.status === 'found' && onRelay.event.id).toBe(fresh)
    } finally {
      await client.close()
      store.close()
    }
  })

  test('a refusal is permanent: the entry stays as failed with the message and is not retried', covers('AP-STORE-9'), async () => {
    const sk = generateSecretKey()
    const store = openRetentionStore(':memory:')
    const channelMessage = finalizeEvent({ kind: 9, created_at: nowSeconds(), tags: [], content: 'no channel' }, sk)
    store.queue.enqueue(channelMessage, nowSeconds())
    const client = await connect(relay.url)
    try {
      const report = await drainPendingSync(store, client, { now: nowSeconds, secretKey: sk, force: true })
      expect(report.failed).toHaveLength(1)
      expect(report.failed[0]?.message).toMatch(/^invalid: /)
      expect(store.queue.count()).toEqual({ pending: 0, failed: 1 })
      const again = await drainPendingSync(store, client, { now: nowSeconds, secretKey: sk, force: true })
      expect(again.failed).toEqual([])
      expect(again.sent).toEqual([])
    } finally {
      await client.close()
      store.close()
    }
  })

  test('an event stamped ahead of the window waits with a backoff instead of failing for good', covers('AP-STORE-7'), async () => {
    const sk = generateSecretKey()
    const store = openRetentionStore(':memory:')
    const ahead = signPersona(sk, 'burst', body, nowSeconds() + 2000)
    store.personas.put(ahead)
    store.queue.enqueue(ahead, nowSeconds())
    const client = await connect(relay.url)
    try {
      const report = await drainPendingSync(store, client, { now: nowSeconds, secretKey: sk })
      expect(report.failed).toEqual([])
      expect(report.retrying.map((r) => r.id)).toEqual([ahead.id])
      expect(report.retrying[0]?.message).toBe('invalid: event timestamp too far from server time')
      expect(report.interrupted).toBe(false)
      expect(store.queue.count()).toEqual({ pending: 1, failed: 0 })
    } finally {
      await client.close()
      store.close()
    }
  })

  test('a relay that goes away mid-drain leaves the entry queued with a backoff and the error', covers('AP-STORE-7'), async () => {
    const sk = generateSecretKey()
    const store = openRetentionStore(':memory:')
    writeLocally(store, sk, 'x')
    writeLocally(store, sk, 'y')
    const doomed = await startRelay({ port: 0 })
    const client = await connect(doomed.url)
    await doomed.close()
    try {
      const now = nowSeconds()
      const report = await drainPendingSync(store, client, { now: () => now, secretKey: sk })
      expect(report.sent).toEqual([])
      expect(report.retrying).toHaveLength(1) // the first failure stops the drain
      expect(report.interrupted).toBe(true)
      expect(report.retrying[0]?.message).toMatch(/^error: /)
      expect(report.retrying[0]?.next_attempt_at).toBeGreaterThan(now)
      const entries = store.queue.list().entries
      expect(entries.map((e) => e.attempts)).toEqual([1, 0])
      expect(store.queue.list({ dueAt: now }).entries).toHaveLength(1)
    } finally {
      await client.close()
      store.close()
    }
  })

  test('refresh pulls a newer head written elsewhere; the local queued older version is then superseded', covers('AP-READ-3', 'AP-STORE-2'), async () => {
    const sk = generateSecretKey()
    const pk = getPublicKey(sk)
    const here = openRetentionStore(':memory:')
    const elsewhere = openRetentionStore(':memory:')
    const client = await connect(relay.url)
    try {
      const older = signPersona(sk, 'shared', body, nowSeconds() - 10)
      here.personas.put(older)
      here.queue.enqueue(older, nowSeconds())
      writeLocally(elsewhere, sk, 'shared', { system_prompt: 'from the other device' })
      await drainPendingSync(elsewhere, client, { now: nowSeconds, secretKey: sk })

      const refreshed = await refreshPersonas(here, client, pk)
      expect(refreshed.ok && refreshed.updated).toEqual(['shared'])
      const report = await drainPendingSync(here, client, { now: nowSeconds, secretKey: sk })
      expect(report.superseded.map((s) => s.id)).toEqual([older.id])
      expect(report.sent).toEqual([])
      const local = here.personas.read(pk, 'shared')
      expect(local.status === 'present' && JSON.parse(local.event.content).system_prompt).toBe('from the other device')
    } finally {
      await client.close()
      here.close()
      elsewhere.close()
    }
  })
})
