import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { expect, test } from 'vitest'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { SqliteStore } from './sqlite-store.ts'

test('the WAL is checkpointed beside the writer, and closing leaves every event in the database file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-checkpoint-'))
  const file = path.join(dir, 'relay.db')
  try {
    const store = new SqliteStore(file)
    const sk = generateSecretKey()
    const events = Array.from(
      { length: 300 },
      (_, i) => finalizeEvent({ kind: 1, created_at: 1_700_000_000 + i, tags: [['t', `n${i}`]], content: 'x'.repeat(500) }, sk) as NostrEvent,
    )
    const before = statSync(file).size
    store.transaction(() => events.forEach((e) => store.insert(e)))
    // Nothing in this thread checkpoints (autocheckpoint is off): the database file grows
    // only when the checkpointer copies the committed pages over.
    const deadline = Date.now() + 10_000
    while (statSync(file).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(statSync(file).size).toBeGreaterThan(before)
    store.close()
    expect(existsSync(`${file}-wal`)).toBe(false)
    const reopened = new SqliteStore(file)
    expect(reopened.size()).toBe(300)
    reopened.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
