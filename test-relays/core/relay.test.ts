// The default relay's answers where neither a variation check nor a defect probe looks.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RunningTestRelay } from '../catalog.ts'
import { startTestRelay } from '../launch.ts'
import { TestClient, withClients } from '../testing/client.ts'
import { ids, newKeys, nowSeconds, persona, sign } from '../testing/events.ts'
import { fetchInfo } from '../testing/http.ts'

let relay: RunningTestRelay

beforeAll(async () => {
  relay = await startTestRelay({ relay: 'core' })
})
afterAll(async () => {
  await relay.close()
})

describe('EVENT', () => {
  test('a malformed event with a readable id is refused invalid:, without one a NOTICE answers', async () => {
    await withClients(relay.url, 1, async (client) => {
      const event = sign(newKeys(), { kind: 1 })
      expect(await client.publish({ ...event, kind: 70000 })).toEqual([false, 'invalid: kind must be an integer between 0 and 65535'])
      expect(await client.publish({ ...event, tags: [[]] })).toEqual([false, 'invalid: each tag must be a non-empty array of strings'])
      client.send(['EVENT', 'not an event'])
      const notice = await client.take((f) => f[0] === 'NOTICE', 'NOTICE')
      expect(notice[1]).toMatch(/^invalid: /)
    })
  })

  test('a stale version is acknowledged as a duplicate and the head stays', async () => {
    const keys = newKeys()
    await withClients(relay.url, 1, async (client) => {
      const head = persona(keys, 'steady', { created_at: nowSeconds() - 5 })
      const stale = persona(keys, 'steady', { created_at: nowSeconds() - 50 })
      expect(await client.publish(head)).toEqual([true, ''])
      expect(await client.publish(stale)).toEqual([true, 'duplicate: a newer version of this address is stored'])
      const read = await client.query('q', { kinds: [30175], authors: [keys.pubkey] })
      expect(ids(read.events)).toEqual([head.id])
    })
  })

  test('a re-sent deleted event is refused blocked: and an address deletion keeps the newer head', async () => {
    const keys = newKeys()
    await withClients(relay.url, 1, async (client) => {
      const note = sign(keys, { kind: 1 })
      const old = persona(keys, 'p', { created_at: nowSeconds() - 50 })
      await client.publish(note)
      await client.publish(old)
      const deletion = sign(keys, { kind: 5, tags: [['e', note.id], ['a', `30175:${keys.pubkey}:p`]], created_at: nowSeconds() - 20 })
      expect(await client.publish(deletion)).toEqual([true, ''])
      expect((await client.publish(note))[1]).toMatch(/^blocked: /)
      expect((await client.publish(persona(keys, 'p', { created_at: nowSeconds() - 30 })))[0]).toBe(false)
      const newer = persona(keys, 'p', { created_at: nowSeconds() - 10 })
      expect(await client.publish(newer)).toEqual([true, ''])
      const read = await client.query('q', { authors: [keys.pubkey] })
      expect(ids(read.events).sort()).toEqual([deletion.id, newer.id].sort())
    })
  })

  test('a persona\'s content is not looked at, and an h tag does not hide it', async () => {
    const keys = newKeys()
    await withClients(relay.url, 1, async (client) => {
      const odd = persona(keys, 'odd', { content: '', tags: [['d', 'odd'], ['h', 'somewhere'], ['alt', 'agent persona definition']] })
      expect(await client.publish(odd)).toEqual([true, ''])
      expect(ids((await client.query('q', { kinds: [30175], authors: [keys.pubkey] })).events)).toEqual([odd.id])
    })
  })
})

describe('REQ, CLOSE and COUNT', () => {
  test('bad subscription ids and filters are refused with CLOSED and a prefix', async () => {
    await withClients(relay.url, 1, async (client) => {
      expect((await client.query('x'.repeat(65), { kinds: [1] })).closed).toMatch(/^invalid: /)
      expect((await client.query('', { kinds: [1] })).closed).toMatch(/^invalid: /)
      expect((await client.query('s')).closed).toBe('invalid: at least one filter is needed')
      expect((await client.query('s', { kinds: ['1'] })).closed).toMatch(/^invalid: /)
      expect((await client.query('s', { search: 'x' })).closed).toMatch(/^unsupported: /)
      expect((await client.query('s', { kinds: [1], limit: 1 })).closed).toBeNull()
    })
  })

  test('COUNT unions its filters and counts heads only', async () => {
    const keys = newKeys()
    await withClients(relay.url, 1, async (client) => {
      await client.publish(sign(keys, { kind: 1 }))
      await client.publish(persona(keys, 'c', { created_at: nowSeconds() - 9 }))
      await client.publish(persona(keys, 'c', { created_at: nowSeconds() - 3 }))
      const count = await client.count('c', { kinds: [1], authors: [keys.pubkey] }, { kinds: [30175], authors: [keys.pubkey] })
      expect(count).toEqual(['COUNT', 'c', { count: 2 }])
    })
  })

  test('limit keeps the newest events, newest first', async () => {
    const keys = newKeys()
    await withClients(relay.url, 1, async (client) => {
      const events = [30, 20, 10].map((age) => sign(keys, { kind: 1, created_at: nowSeconds() - age }))
      for (const event of events) await client.publish(event)
      const read = await client.query('q', { authors: [keys.pubkey], limit: 2 })
      expect(ids(read.events)).toEqual([events[2]!.id, events[1]!.id])
    })
  })
})

describe('transport and NIP-11', () => {
  test('a frame over twice max_message_length closes the socket with 1009', async () => {
    const client = await TestClient.connect(relay.url)
    client.sendRaw(`["EVENT",${JSON.stringify('x'.repeat(2 * 524_288 + 10))}]`)
    expect(await client.closed()).toBe(1009)
  })

  test('an EVENT over max_message_length is refused with OK false', async () => {
    const event = sign(newKeys(), { kind: 1, content: 'y'.repeat(524_288) })
    const [accepted, message] = await withClients(relay.url, 1, (client) => client.publish(event))
    expect(accepted).toBe(false)
    expect(message).toMatch(/^invalid: message of \d+ bytes is over max_message_length 524288$/)
  })

  test('a frame that trips an error is answered with a NOTICE and the connection goes on', async () => {
    await withClients(relay.url, 1, async (client) => {
      client.sendRaw(`["REQ","\\x",${' '.repeat(524_288)}{"kinds":[1]}]`)
      const notice = await client.take((f) => f[0] === 'NOTICE', 'NOTICE')
      expect(notice[1]).toMatch(/^error: /)
      await client.barrier()
    })
  })

  test('the relay lives at one path: others get 404 for HTTP and WebSocket alike', async () => {
    expect((await fetchInfo(relay.httpUrl, '/elsewhere')).status).toBe(404)
    await expect(TestClient.connect(`${relay.url}/elsewhere`)).rejects.toThrow(/404/)
    const info = await fetchInfo(relay.httpUrl, '/?x=1')
    expect(info.document?.supported_nips).toEqual([1, 9, 11, 45])
  })
})
