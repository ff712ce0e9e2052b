import { describe, expect, test } from 'vitest'
import { absoluteRequestUrl, checkPublicUrl } from './request-url.ts'

describe('absolute request URL', () => {
  test('scheme http, the Host header, path and query', () => {
    expect(absoluteRequestUrl({ host: 'localhost:7777', path: '/events', query: '' }, null, '127.0.0.1:1')).toBe('http://localhost:7777/events')
    expect(absoluteRequestUrl({ host: 'localhost:7777', path: '/query', query: 'a=1&b=2' }, null, '127.0.0.1:1')).toBe(
      'http://localhost:7777/query?a=1&b=2',
    )
  })

  test('without a Host header the listening address stands in', () => {
    expect(absoluteRequestUrl({ host: undefined, path: '/count', query: '' }, null, '127.0.0.1:9')).toBe('http://127.0.0.1:9/count')
  })

  test('a public URL replaces the origin and may add a path prefix', () => {
    expect(absoluteRequestUrl({ host: '127.0.0.1:7777', path: '/events', query: '' }, 'https://relay.example.com', '')).toBe(
      'https://relay.example.com/events',
    )
    expect(absoluteRequestUrl({ host: 'x', path: '/events', query: 'q' }, 'https://example.com/nostr/', '')).toBe(
      'https://example.com/nostr/events?q',
    )
  })

  test('public URLs are checked and normalised', () => {
    expect(checkPublicUrl('https://Relay.Example.com/')).toEqual({ ok: true, url: 'https://relay.example.com' })
    expect(checkPublicUrl('https://example.com/nostr/')).toEqual({ ok: true, url: 'https://example.com/nostr' })
    expect(checkPublicUrl('relay.example.com')).toMatchObject({ ok: false })
    expect(checkPublicUrl('ws://relay.example.com')).toMatchObject({ ok: false })
    expect(checkPublicUrl('https://relay.example.com/?x=1')).toMatchObject({ ok: false })
  })
})
