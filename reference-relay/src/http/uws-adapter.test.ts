import { describe, expect, test } from 'vitest'
import { HttpBridge } from './bridge.ts'
import { bridgeHandlers, serveBridgeRequest, type UwsRequestLike, type UwsResponseLike } from './uws-adapter.ts'

/** Records what the adapter does to a response; plays uWS's part by hand. */
class FakeResponse implements UwsResponseLike {
  status = ''
  headers: Record<string, string> = {}
  body: string | null = null
  closed = false
  corked = false
  ended = 0
  aborted: (() => void) | null = null
  data: ((chunk: ArrayBuffer, isLast: boolean) => void) | null = null

  onAborted(handler: () => void) {
    this.aborted = handler
  }
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void) {
    this.data = handler
  }
  cork(callback: () => void) {
    this.corked = true
    callback()
  }
  writeStatus(status: string) {
    this.status = status
  }
  writeHeader(key: string, value: string) {
    this.headers[key] = value
  }
  end(body = '', closeConnection = false) {
    this.ended += 1
    this.body = body
    this.closed = closeConnection
  }
  /** Sends a chunk the way uWS does: the buffer is neutered once the callback returns. */
  send(bytes: Uint8Array, isLast: boolean) {
    const lent = new Uint8Array(bytes).buffer
    this.data?.(lent, isLast)
    new Uint8Array(lent).fill(0)
  }
}

function fakeRequest(method: string, url: string, headers: Record<string, string> = {}): UwsRequestLike {
  return {
    getHeader: (key) => headers[key] ?? '',
    getMethod: () => method.toLowerCase(),
    getUrl: () => url,
    getQuery: () => '',
  }
}

function bridge() {
  const seen: unknown[] = []
  const b = new HttpBridge(
    { auth: 'none', publicUrl: null, listenAddress: '127.0.0.1:1', maxFilters: 10, clock: Date.now, verifySignature: async () => true, log: () => {} },
    {
      submitEvent: async (event) => {
        seen.push(event)
        return { id: 'x', accepted: true, message: '' }
      },
      query: () => [],
      threadReplies: () => [],
      topLevel: () => [],
      count: () => 3,
      matchingIds: () => [],
    },
  )
  return { bridge: b, seen }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
const encode = (text: string) => new TextEncoder().encode(text)

describe('uWS adapter', () => {
  test('reads a chunked body, copying each chunk, and answers corked', async () => {
    const { bridge: b, seen } = bridge()
    const res = new FakeResponse()
    serveBridgeRequest(res, fakeRequest('POST', '/events'), 'events', b)
    expect(res.aborted).not.toBeNull()
    res.send(encode('{"a":'), false)
    res.send(encode('[1,2]}'), true)
    await flush()
    expect(seen).toEqual([{ a: [1, 2] }])
    expect(res.corked).toBe(true)
    expect(res.status).toBe('200 OK')
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(JSON.parse(res.body ?? '')).toEqual({ event_id: 'x', accepted: true, message: '' })
  })

  test('an aborted request is never answered', async () => {
    const { bridge: b } = bridge()
    const res = new FakeResponse()
    serveBridgeRequest(res, fakeRequest('POST', '/count'), 'count', b)
    res.send(encode('[{}]'), true)
    res.aborted?.()
    await flush()
    expect(res.ended).toBe(0)
  })

  test('413 at once when Content-Length announces too much, closing the connection', () => {
    const { bridge: b } = bridge()
    const res = new FakeResponse()
    serveBridgeRequest(res, fakeRequest('POST', '/query', { 'content-length': '11' }), 'query', b, 10)
    expect(res.status).toBe('413 Payload Too Large')
    expect(res.closed).toBe(true)
    expect(res.data).toBeNull()
  })

  test('413 as soon as the streamed body passes the limit, answered once', async () => {
    const { bridge: b, seen } = bridge()
    const res = new FakeResponse()
    serveBridgeRequest(res, fakeRequest('POST', '/events'), 'events', b, 10)
    res.send(new Uint8Array(6), false)
    res.send(new Uint8Array(6), false)
    res.send(new Uint8Array(6), true)
    await flush()
    expect(res.status).toBe('413 Payload Too Large')
    expect(res.ended).toBe(1)
    expect(seen).toEqual([])
  })

  test('405 for GET without reading; a refused request with a body closes the connection', () => {
    const { bridge: b } = bridge()
    const get = new FakeResponse()
    serveBridgeRequest(get, fakeRequest('GET', '/events'), 'events', b)
    expect(get.status).toBe('405 Method Not Allowed')
    expect(get.headers.allow).toBe('POST, OPTIONS')
    expect(get.closed).toBe(false)
    const put = new FakeResponse()
    serveBridgeRequest(put, fakeRequest('PUT', '/events', { 'content-length': '5' }), 'events', b)
    expect(put.closed).toBe(true)
  })

  test('OPTIONS preflight is 204 with an empty body', () => {
    const { bridge: b } = bridge()
    const res = new FakeResponse()
    serveBridgeRequest(res, fakeRequest('OPTIONS', '/query'), 'query', b)
    expect(res.status).toBe('204 No Content')
    expect(res.body).toBe('')
    expect(res.ended).toBe(1)
    expect(res.headers['access-control-allow-methods']).toContain('POST')
  })

  test('one handler per bridge path', () => {
    expect(bridgeHandlers(bridge().bridge).map(([pattern]) => pattern)).toEqual(['/events', '/query', '/count'])
  })
})
