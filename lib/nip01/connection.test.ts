import type { AddressInfo } from 'node:net'
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import { type WebSocket, WebSocketServer } from 'ws'
import type { NostrEvent } from '../../spec/model/event.ts'
import { AuthEventKind } from './auth.ts'
import { type WireEvent, Nip01Connection } from './connection.ts'
import { Nip01Error } from './errors.ts'
import type { Frame } from './frames.ts'

/** A scripted relay: `onFrame` answers each parsed client frame; `onOpen` runs per connection. */
interface Script {
  onOpen?: (socket: WebSocket) => void
  onFrame?: (socket: WebSocket, frame: Frame, text: string) => void
}

const servers: WebSocketServer[] = []
const connections: Nip01Connection[] = []

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()))
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

async function relay(script: Script): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  servers.push(server)
  server.on('connection', (socket) => {
    script.onOpen?.(socket)
    socket.on('message', (data) => {
      const text = data.toString()
      let frame: Frame = []
      try {
        frame = JSON.parse(text) as Frame
      } catch {
        // the script sees the raw text
      }
      script.onFrame?.(socket, frame, text)
    })
  })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function open(url: string, options: Parameters<typeof Nip01Connection.open>[1] = {}): Promise<Nip01Connection> {
  const connection = await Nip01Connection.open(url, { timeoutMs: 300, ...options })
  connections.push(connection)
  return connection
}

const send = (socket: WebSocket, frame: unknown[]): void => socket.send(JSON.stringify(frame))

function event(kind = 1, content = 'x'): NostrEvent {
  return finalizeEvent({ kind, created_at: Math.floor(Date.now() / 1000), tags: [], content }, generateSecretKey()) as NostrEvent
}

/** A relay that stores events in memory, answers REQ from them and fans out live. */
function memoryRelay(): Script {
  const stored: NostrEvent[] = []
  const subs = new Map<WebSocket, Set<string>>()
  return {
    onOpen: (socket) => subs.set(socket, new Set()),
    onFrame: (socket, frame) => {
      if (frame[0] === 'EVENT') {
        const e = frame[1] as NostrEvent
        stored.push(e)
        send(socket, ['OK', e.id, true, ''])
        for (const [s, ids] of subs) for (const id of ids) send(s, ['EVENT', id, e])
      } else if (frame[0] === 'REQ') {
        const id = frame[1] as string
        for (const e of stored) send(socket, ['EVENT', id, e])
        send(socket, ['EOSE', id])
        subs.get(socket)?.add(id)
      } else if (frame[0] === 'CLOSE') {
        subs.get(socket)?.delete(frame[1] as string)
      } else if (frame[0] === 'COUNT') {
        send(socket, ['COUNT', frame[1], { count: stored.length }])
      }
    },
  }
}

async function failureOf(promise: Promise<unknown>): Promise<Nip01Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Nip01Error)
  return error as Nip01Error
}

describe('a connection to a relay that answers', () => {
  test('publish returns the OK with its prefix; the observer sees every frame once', async () => {
    const url = await relay({ onFrame: (s, f) => f[0] === 'EVENT' && send(s, ['OK', (f[1] as NostrEvent).id, false, 'invalid: no']) })
    const seen: WireEvent[] = []
    const connection = await open(url, { observe: (e) => seen.push(e) })
    const e = event()
    const reply = await connection.publish(e)
    expect(reply).toMatchObject({ id: e.id, accepted: false, message: 'invalid: no', prefix: 'invalid' })
    expect(seen.map((s) => s.type)).toEqual(['open', 'send', 'recv'])
    expect(seen[2]).toMatchObject({ type: 'recv', frame: ['OK', e.id, false, 'invalid: no'] })
  })

  test('query returns stored events up to EOSE, then sends CLOSE; a subscription sees live events', async () => {
    const url = await relay(memoryRelay())
    const writer = await open(url)
    const reader = await open(url)
    const first = event()
    await writer.publish(first)
    const reply = await reader.query([{ ids: [first.id] }])
    expect(reply.eose).toBe(true)
    expect(reply.events.map((e) => e.id)).toEqual([first.id])
    const sub = reader.subscribe([{}])
    expect((await sub.stored()).events.map((e) => e.id)).toEqual([first.id])
    const second = event()
    await writer.publish(second)
    expect((await sub.waitForEvent((e) => e.id === second.id, 'the second event')).id).toBe(second.id)
    expect(sub.events.map((e) => e.id)).toEqual([first.id, second.id])
  })

  test('count reads the number; a count without a number is a protocol error', async () => {
    const good = await open(await relay(memoryRelay()))
    expect(await good.count([{}])).toMatchObject({ ok: true, count: 0 })
    const bad = await open(await relay({ onFrame: (s, f) => send(s, ['COUNT', f[1], { n: 1 }]) }))
    expect((await failureOf(bad.count([{}]))).kind).toBe('protocol')
  })

  test('a CLOSED ends a query and a count with the relay message', async () => {
    const connection = await open(await relay({ onFrame: (s, f) => send(s, ['CLOSED', f[1], 'auth-required: sign in']) }))
    expect(await connection.query([{}])).toEqual({ events: [], eose: false, closed: 'auth-required: sign in' })
    expect(await connection.count([{}])).toMatchObject({ ok: false, closed: 'auth-required: sign in' })
  })

  test('subscription ids are numbered per connection with the given prefix', async () => {
    const connection = await open(await relay(memoryRelay()), { subIdPrefix: 'case' })
    expect(connection.nextSubId()).toBe('case-1')
    expect(connection.subscribe([{}]).id).toBe('case-2')
  })
})

describe('every wait is bounded and every failure typed', () => {
  test('silence: the wait ends at its deadline with `timeout`, and the observer is told', async () => {
    const seen: WireEvent[] = []
    const connection = await open(await relay({}), { observe: (e) => seen.push(e) })
    const error = await failureOf(connection.publish(event(), { timeoutMs: 50 }))
    expect(error.kind).toBe('timeout')
    expect(seen.at(-1)).toMatchObject({ type: 'timeout', ms: 50 })
  })

  test('garbage fails the connection with `protocol`, and every later wait too; `ignore` skips it', async () => {
    const url = await relay({ onFrame: (s) => s.send('not json') })
    const strict = await open(url)
    expect((await failureOf(strict.query([{}]))).kind).toBe('protocol')
    expect((await failureOf(strict.waitFor(() => true, 'anything'))).kind).toBe('protocol')
    const lenient = await open(url, { malformed: 'ignore' })
    expect((await failureOf(lenient.query([{}], { timeoutMs: 50 }))).kind).toBe('timeout')
  })

  test('a hang-up rejects the pending wait with `disconnected`; sending afterwards throws it', async () => {
    const connection = await open(await relay({ onFrame: (s) => s.terminate() }))
    expect((await failureOf(connection.publish(event()))).kind).toBe('disconnected')
    expect(() => connection.send(['REQ', 'x', {}])).toThrow(Nip01Error)
    expect(connection.isOpen).toBe(false)
    expect((await connection.closed).code).toBe(1006)
  })

  test('nothing listening is `unreachable`', async () => {
    const url = await relay({})
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()))
    expect((await failureOf(Nip01Connection.open(url, { timeoutMs: 300 }))).kind).toBe('unreachable')
  })

  test('collectFor returns what arrived within the window; silence is not an error', async () => {
    const connection = await open(await relay({}))
    connection.send(['REQ', 'quiet', {}])
    expect(await connection.collectFor(30)).toEqual([])
  })
})

describe('the frame buffer is bounded', () => {
  const flood = (n: number): Script => ({ onFrame: (s, f) => f[0] === 'REQ' && Array.from({ length: n }, (_, i) => send(s, ['NOTICE', `n${i}`])) })

  test('more frames than maxFrames kept fail the connection with `overflow`', async () => {
    const connection = await open(await relay(flood(20)), { maxFrames: 10 })
    connection.send(['REQ', 'x', {}])
    expect((await failureOf(connection.waitFor((f) => f[1] === 'never', 'nothing'))).kind).toBe('overflow')
  })

  test('take removes what it reads, so a reader that keeps up never overflows', async () => {
    const connection = await open(await relay(flood(30)), { maxFrames: 10 })
    const taken = Promise.all(Array.from({ length: 30 }, (_, i) => connection.take((f) => f[1] === `n${i}`, `notice ${i}`)))
    connection.send(['REQ', 'x', {}])
    expect((await taken).map((f) => f[1])).toEqual(Array.from({ length: 30 }, (_, i) => `n${i}`))
    expect(connection.frames).toEqual([])
    expect(connection.mark).toBe(30)
    expect(connection.isOpen).toBe(true)
  })

  test('trim drops frames before a mark; framesSince and waits use sequence numbers', async () => {
    const connection = await open(await relay(flood(5)))
    connection.send(['REQ', 'x', {}])
    await connection.waitFor((f) => f[1] === 'n4', 'the last notice', { since: 0 })
    connection.trim(3)
    expect(connection.frames.map((f) => f[1])).toEqual(['n3', 'n4'])
    expect(connection.framesSince(4).map((f) => f[1])).toEqual(['n4'])
    expect((await connection.waitFor((f) => f[0] === 'NOTICE', 'a notice', { since: 0 }))[1]).toBe('n3')
  })
})

describe('NIP-42', () => {
  test('authenticate answers the challenge with a signed kind 22242 naming the relay and the challenge', async () => {
    let auth: NostrEvent | undefined
    const url = await relay({
      onOpen: (s) => send(s, ['AUTH', 'challenge-1']),
      onFrame: (s, f) => {
        if (f[0] !== 'AUTH') return
        auth = f[1] as NostrEvent
        send(s, ['OK', auth.id, true, ''])
      },
    })
    const secretKey = generateSecretKey()
    const connection = await open(url)
    const reply = await connection.authenticate(secretKey)
    expect(reply.accepted).toBe(true)
    expect(auth && verifyEvent(auth)).toBe(true)
    expect(auth).toMatchObject({ kind: AuthEventKind, pubkey: getPublicKey(secretKey), tags: [['relay', url], ['challenge', 'challenge-1']] })
    expect([...connection.authenticated]).toEqual([getPublicKey(secretKey)])
  })

  test('a refused AUTH is returned, not thrown, and does not count as authenticated', async () => {
    const url = await relay({
      onOpen: (s) => send(s, ['AUTH', 'c']),
      onFrame: (s, f) => f[0] === 'AUTH' && send(s, ['OK', (f[1] as NostrEvent).id, false, 'restricted: not on the list']),
    })
    const connection = await open(url)
    expect(await connection.authenticate(generateSecretKey())).toMatchObject({ accepted: false, prefix: 'restricted' })
    expect(connection.authenticated.size).toBe(0)
  })

  test('authenticate waits for a challenge that comes later, and gives up at the deadline', async () => {
    const late = await open(
      await relay({
        onFrame: (s, f) => {
          if (f[0] === 'REQ') send(s, ['AUTH', 'late'])
          if (f[0] === 'AUTH') send(s, ['OK', (f[1] as NostrEvent).id, true, ''])
        },
      }),
    )
    const pending = late.authenticate(generateSecretKey())
    late.send(['REQ', 'x', {}])
    expect((await pending).accepted).toBe(true)
    expect(late.challenge).toBe('late')
    const never = await open(await relay({}))
    expect((await failureOf(never.authenticate(generateSecretKey(), { timeoutMs: 50 }))).kind).toBe('timeout')
  })
})
