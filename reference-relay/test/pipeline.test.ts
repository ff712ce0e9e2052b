/** The ingest pipeline's shortcuts and order: what skips verification, and what must not. */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { RelayInternals } from '../src/relay.ts'
import { newKey, nowSeconds, persona, startTestRelay, TestClient } from './helpers.ts'

describe('ingest pipeline', () => {
  let relay: RelayInternals
  let client: TestClient
  let verified: string[]

  beforeAll(async () => {
    relay = await startTestRelay()
    // Watch what reaches signature verification (the ingester calls the stage's verify).
    const verify = relay.verifier.verify.bind(relay.verifier)
    verified = []
    ;(relay.verifier as { verify: typeof verify }).verify = (events) => {
      verified.push(...events.map((e) => e.id))
      return verify(events)
    }
    client = await TestClient.connect(relay.url)
  })

  afterAll(async () => {
    client.close()
    await relay.close()
  })

  test('NIP-11 and the startup log name the verifier that runs', async () => {
    const doc = (await (await fetch(relay.httpUrl, { headers: { Accept: 'application/nostr+json' } })).json()) as { software: string }
    expect(doc.software).toContain(`verifier: ${relay.verifier.name}`)
    expect(relay.verifier.name).toMatch(/worker thread|main thread/)
  })

  test('a re-sent stored event is answered duplicate without a signature check', async () => {
    const e = persona(newKey(), 'again')
    await client.store(e)
    verified.length = 0
    expect(await client.publish(e)).toEqual({ accepted: true, message: 'duplicate: already have this event' })
    expect(verified).toEqual([])
  })

  test('a stored id with another signature is verified, and a forged one refused', async () => {
    const e = persona(newKey(), 'forged')
    await client.store(e)
    verified.length = 0
    const forged = { ...e, sig: (e.sig[0] === '0' ? '1' : '0') + e.sig.slice(1) }
    expect(await client.publish(forged)).toEqual({ accepted: false, message: 'invalid: signature does not verify' })
    expect(verified).toEqual([e.id])
  })

  test('a stale version is answered from the store, but only once its signature verifies', async () => {
    const key = newKey()
    const t = nowSeconds()
    await client.store(persona(key, 'stale', t))
    verified.length = 0
    const old = persona(key, 'stale', t - 10)
    expect(await client.publish(old)).toEqual({
      accepted: true,
      message: 'duplicate: a newer version of this address is already stored',
    })
    expect(verified).toEqual([old.id])
    const forged = { ...persona(key, 'stale', t - 20), sig: 'f'.repeat(128) }
    expect(await client.publish(forged)).toEqual({ accepted: false, message: 'invalid: signature does not verify' })
  })

  test('a forged event that also breaks a cheap rule is refused as forged', async () => {
    const forged = { ...persona(newKey(), 'Bad-Slug', nowSeconds()), sig: 'f'.repeat(128) }
    expect(await client.publish(forged)).toEqual({ accepted: false, message: 'invalid: signature does not verify' })
  })

  test('while an event of the same author is in flight, the next one waits for the writer (same answers, same order)', async () => {
    const key = newKey()
    const t = nowSeconds()
    const first = persona(key, 'race', t - 5)
    await client.store(first)
    const newer = persona(key, 'race', t)
    // Sent back to back: the re-sent first version must be judged after `newer` is written,
    // when it is no longer stored but superseded.
    client.send(['EVENT', newer])
    client.send(['EVENT', first])
    const answers: NostrEvent['id'][] = []
    const a = await client.next((f) => f[0] === 'OK' && (f[1] === newer.id || f[1] === first.id))
    const b = await client.next((f) => f[0] === 'OK' && (f[1] === newer.id || f[1] === first.id))
    answers.push(a[1] as string, b[1] as string)
    expect(answers).toEqual([newer.id, first.id])
    expect(a.slice(2)).toEqual([true, ''])
    expect(b.slice(2)).toEqual([true, 'duplicate: a newer version of this address is already stored'])
  })
})
