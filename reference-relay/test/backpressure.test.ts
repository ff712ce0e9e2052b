/** Slow readers: output waits in order while a reader is slow, and a stalled one is cut off. */

import { describe, expect, test } from 'vitest'
import { DefaultLimits } from '../src/config.ts'
import { newKey, sign, startTestRelay, TestClient } from './helpers.ts'

const bulky = (key: ReturnType<typeof newKey>, count: number) =>
  Array.from({ length: count }, (_, i) => sign(key, { kind: 1, content: `${i}:${'x'.repeat(60_000)}` }))

describe('backpressure', () => {
  test('a paused reader later receives every live event, in order', async () => {
    const relay = await startTestRelay({}, { limits: { ...DefaultLimits, outputHighWater: 64 * 1024 } })
    const reader = await TestClient.connect(relay.url)
    const writer = await TestClient.connect(relay.url)
    const key = newKey()
    await reader.req('all', { authors: [key.pk] })
    reader.pauseReading()
    const events = bulky(key, 200)
    for (const e of events) await writer.store(e)
    reader.resumeReading()
    const received: string[] = []
    for (let i = 0; i < events.length; i++) received.push((await reader.live('all')).id)
    expect(received).toEqual(events.map((e) => e.id))
    reader.close()
    writer.close()
    await relay.close()
  })

  test('a reader that lets too much output pile up is disconnected with 1008', async () => {
    const relay = await startTestRelay({}, {
      limits: { ...DefaultLimits, outputHighWater: 64 * 1024, maxPendingOutput: 1024 * 1024 },
    })
    const reader = await TestClient.connect(relay.url)
    const writer = await TestClient.connect(relay.url)
    const key = newKey()
    await reader.req('all', { authors: [key.pk] })
    reader.pauseReading()
    for (const e of bulky(key, 200)) await writer.store(e)
    reader.resumeReading()
    expect((await reader.closed).code).toBe(1008)
    // The writer's connection and the store are unaffected.
    expect(await writer.count('n', { authors: [key.pk] })).toBe(200)
    writer.close()
    await relay.close()
  })
})
