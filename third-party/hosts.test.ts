import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { relayHosts } from './registry.ts'
import type { HostedRelay } from './types.ts'
import { Nip01Connection } from '../lib/nip01/connection.ts'

const waitMs = 5_000

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function note(secretKey: Uint8Array): ReturnType<typeof finalizeEvent> {
  return finalizeEvent(
    { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: 'third-party host smoke test' },
    secretKey,
  )
}

describe.each(relayHosts.map((host) => [host.name, host] as const))('third-party host %s', (_name, host) => {
  let relay: HostedRelay
  let socket: Nip01Connection | undefined

  beforeAll(async () => {
    relay = await host.start()
  })

  afterAll(async () => {
    await socket?.close()
    await relay?.close()
  })

  test('starts on 127.0.0.1 and reports the pinned version', () => {
    expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
    expect(relay.version).toBe(host.version)
    expect(relay.name).toBe(host.name)
    expect(relay.httpUrl !== undefined).toBe(host.servesHttp)
    expect(isAlive(relay.pid)).toBe(true)
  })

  test('accepts a WebSocket connection and answers a REQ with EOSE', async () => {
    socket = await Nip01Connection.open(relay.url, { timeoutMs: waitMs })
    const reply = await socket.query([{ kinds: [1], limit: 1 }], { subId: 'smoke' })
    expect(reply.eose).toBe(true)
    expect(socket.frames).toContainEqual(['EOSE', 'smoke'])
  })

  test('answers an EVENT of kind 1 with an OK for that id', async () => {
    if (!socket) throw new Error('no socket: the previous test failed')
    const event = note(generateSecretKey())
    const ok = await socket.publish(event)
    expect(typeof ok.frame[2]).toBe('boolean')
    expect(typeof ok.frame[3]).toBe('string')
  })

  test('closes cleanly and leaves no process behind', async () => {
    await socket?.close()
    socket = undefined
    await relay.close()
    expect(isAlive(relay.pid)).toBe(false)
    await relay.close()
  })
})
