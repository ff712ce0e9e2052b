import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { relayHosts } from './registry.ts'
import type { HostedRelay } from './types.ts'
import { type Frame, FrameSocket } from './ws-frames.ts'

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
  let socket: FrameSocket | undefined

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
    socket = await FrameSocket.open(relay.url, waitMs)
    socket.send(['REQ', 'smoke', { kinds: [1], limit: 1 }])
    const eose = await socket.waitFor((frame) => frame[0] === 'EOSE' && frame[1] === 'smoke', waitMs)
    expect(eose).toEqual(['EOSE', 'smoke'])
  })

  test('answers an EVENT of kind 1 with an OK for that id', async () => {
    if (!socket) throw new Error('no socket: the previous test failed')
    const event = note(generateSecretKey())
    socket.send(['EVENT', event])
    const ok: Frame = await socket.waitFor((frame) => frame[0] === 'OK' && frame[1] === event.id, waitMs)
    expect(typeof ok[2]).toBe('boolean')
    expect(typeof ok[3]).toBe('string')
  })

  test('closes cleanly and leaves no process behind', async () => {
    await socket?.close()
    socket = undefined
    await relay.close()
    expect(isAlive(relay.pid)).toBe(false)
    await relay.close()
  })
})
