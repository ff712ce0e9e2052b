/** Slow readers: output waits in order while a reader is slow, and a stalled one is cut off. */

import { describe, expect, test } from 'vitest'
import { DefaultLimits } from '../src/config.ts'
import { newKey, PausableReader, sign, startTestRelay, TestClient } from './helpers.ts'

const bulky = (key: ReturnType<typeof newKey>, count: number) =>
  Array.from({ length: count }, (_, i) => sign(key, { kind: 1, content: `${i}:${'x'.repeat(60_000)}` }))

describe('backpressure', () => {
  test('a paused reader later receives every live event, in order', async () => {
    const relay = await startTestRelay({}, { limits: { ...DefaultLimits, outputHighWater: 64 * 1024 } })
    const reader = await PausableReader.connect(relay.url)
    const writer = await TestClient.connect(relay.url)
    const key = newKey()
    await reader.subscribe('all', { authors: [key.pk] })
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
    const reader = await PausableReader.connect(relay.url)
    const writer = await TestClient.connect(relay.url)
    const key = newKey()
    await reader.subscribe('all', { authors: [key.pk] })
    reader.pauseReading()
    for (const e of bulky(key, 200)) await writer.store(e)
    reader.resumeReading()
    expect((await reader.closed).code).toBe(1008)
    // The writer's connection and the store are unaffected.
    expect(await writer.count('n', { authors: [key.pk] })).toBe(200)
    writer.close()
    await relay.close()
  })

  test('when many readers stall, the relay-wide budget cuts them and a reader that keeps up gets everything', async () => {
    const relay = await startTestRelay({}, {
      limits: { ...DefaultLimits, outputHighWater: 16 * 1024, maxOutputTotal: 2 * 1024 * 1024 },
    })
    const key = newKey()
    const stalled = await Promise.all(Array.from({ length: 8 }, () => PausableReader.connect(relay.url)))
    const healthy = await PausableReader.connect(relay.url)
    const writer = await TestClient.connect(relay.url)
    for (const reader of [...stalled, healthy]) await reader.subscribe('all', { authors: [key.pk] })
    for (const reader of stalled) reader.pauseReading()
    const events = bulky(key, 120)
    const received: string[] = []
    for (const e of events) {
      await writer.store(e)
      received.push((await healthy.live('all')).id)
    }
    expect(received).toEqual(events.map((e) => e.id))
    for (const reader of stalled) reader.resumeReading()
    const closes = await Promise.all(stalled.map((reader) => reader.closed))
    expect(closes.every((c) => c.code === 1008)).toBe(true)
    expect(closes.map((c) => c.reason)).toContain('slow reader: relay output budget exhausted')
    expect(healthy.isOpen).toBe(true)
    healthy.close()
    writer.close()
    await relay.close()
  })
})
