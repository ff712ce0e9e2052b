import { describe, expect, test } from 'vitest'
import { startTestRelay, testRelayCatalog, TestRelayOptionError } from '../launch.ts'
import { ORIGIN_DEFECTS } from './defects.ts'
import { TestClient } from './test-client.ts'

describe('the origin relay in the test-relay host', () => {
  test('starts with a defect through startTestRelay and closes', async () => {
    const relay = await startTestRelay({ relay: 'origin', defects: ['close-silent'], port: 0 })
    expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
    expect(relay.httpUrl).toBe(relay.url.replace('ws:', 'http:'))
    const c = await TestClient.open(relay.url)
    expect(await c.challenge()).toMatch(/^[0-9a-f]{64}$/)
    c.close()
    await relay.close()
  })

  test('refuses unknown defects, variations and auth keys as option errors', async () => {
    await expect(startTestRelay({ relay: 'origin', defects: ['nope'] })).rejects.toThrow(TestRelayOptionError)
    await expect(startTestRelay({ relay: 'origin', defects: ['nope'] })).rejects.toThrow(/unknown defect "nope" for relay origin; valid: auth-not-required/)
    await expect(startTestRelay({ relay: 'origin', variations: ['no-nip11'] })).rejects.toThrow(TestRelayOptionError)
    await expect(startTestRelay({ relay: 'origin', authKeys: ['ab'.repeat(32)] })).rejects.toThrow(TestRelayOptionError)
  })

  test('the catalog lists every defect with its ORIGIN-RELAY.md section and quote', () => {
    const origin = testRelayCatalog().find((c) => c.relay === 'origin')
    expect(origin?.defects.map((d) => d.name)).toEqual(ORIGIN_DEFECTS.map((d) => d.id))
    for (const d of origin?.defects ?? []) {
      expect(d.breaks[0]?.text).toMatch(/^ORIGIN-RELAY\.md §[1-7]$/)
      expect(d.breaks[0]?.quote.length).toBeGreaterThan(5)
    }
  })
})
