/**
 * Large answers complete: a REQ whose stored answer is many megabytes of large events ends
 * with EOSE, and the connection still answers afterwards. Before the output path resumed its
 * queue outside uWS's drain callback, such a connection went silent for good in most rounds.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareForQuery } from '../../spec/model/filter.ts'
import type { RelayInternals } from '../src/relay.ts'
import { newKey, nowSeconds, sign, startTestRelay, TestClient } from './helpers.ts'

const EventCount = 48
const ContentChars = 250_000
const Rounds = 4

const dir = mkdtempSync(path.join(tmpdir(), 'large-answers-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.each([
  ['memory', () => startTestRelay()],
  ['sqlite', () => startTestRelay({ db: path.join(dir, 'relay.db') })],
] as const)('large answers (%s)', (_backend, start) => {
  test(`a REQ for ${EventCount} events of ${ContentChars / 1000} KB completes in every round, and the connection keeps answering`, async () => {
    const relay: RelayInternals = await start()
    const key = newKey()
    const writer = await TestClient.connect(relay.url, { waitMs: 60_000 })
    try {
      const events: NostrEvent[] = []
      const base = nowSeconds() - EventCount
      for (let i = 0; i < EventCount; i++) {
        events.push(sign(key, { kind: 1, created_at: base + i, content: `${i}:${'y'.repeat(ContentChars)}` }))
      }
      await Promise.all(events.map((event) => writer.store(event)))
      const expected = [...events].sort(compareForQuery).map((e) => e.id)
      for (let round = 0; round < Rounds; round++) {
        const reader = await TestClient.connect(relay.url, { waitMs: 60_000 })
        try {
          // Twice on the same connection: the second answer must not be stuck behind the first.
          for (const subId of [`all-${round}`, `again-${round}`]) {
            const { events: got, closed } = await reader.req(subId, { authors: [key.pk] })
            expect(closed).toBeUndefined()
            expect(got.map((e) => e.id)).toEqual(expected)
          }
          reader.sendRaw('not json')
          expect(await reader.notice()).toMatch(/^invalid: could not parse message/)
        } finally {
          reader.close()
        }
      }
    } finally {
      writer.close()
      await relay.close()
    }
    // About 100 MB cross the loopback per backend: generous for a loaded machine, no timing asserted.
  }, 120_000)
})
