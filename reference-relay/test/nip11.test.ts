/** NIP-11 over real HTTP: document, CORS, preflight, and the plain GET. */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RelayInternals } from '../src/relay.ts'
import { startTestRelay } from './helpers.ts'

let relay: RelayInternals

beforeAll(async () => {
  relay = await startTestRelay()
})
afterAll(() => relay.close())

describe('NIP-11', () => {
  test('GET / with Accept: application/nostr+json returns the document with CORS', async () => {
    const response = await fetch(relay.httpUrl, { headers: { Accept: 'application/nostr+json' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/nostr+json')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const doc = (await response.json()) as Record<string, unknown>
    expect(doc).toMatchObject({ name: expect.any(String), description: expect.any(String), software: expect.any(String), version: expect.any(String) })
    expect(doc.supported_nips).toEqual(expect.arrayContaining([1, 9, 10, 11, 45]))
  })

  test('OPTIONS answers the CORS preflight', async () => {
    const response = await fetch(relay.httpUrl, {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'accept' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, *')
    expect(response.headers.get('access-control-allow-methods')).toContain('GET')
  })

  test('a plain GET / gets a short text, not the document', async () => {
    const response = await fetch(relay.httpUrl)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
    expect(await response.text()).toContain('application/nostr+json')
  })

  test('unknown paths are 404', async () => {
    const response = await fetch(`${relay.httpUrl}/nothing-here`)
    expect(response.status).toBe(404)
  })
})
