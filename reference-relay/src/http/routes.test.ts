import { describe, expect, test } from 'vitest'
import { bridgeRouteOf, routeRequest } from './routes.ts'

describe('bridge routes', () => {
  test('the three paths, exactly', () => {
    expect(bridgeRouteOf('/events')).toBe('events')
    expect(bridgeRouteOf('/query')).toBe('query')
    expect(bridgeRouteOf('/count')).toBe('count')
    expect(bridgeRouteOf('/events/')).toBeNull()
    expect(bridgeRouteOf('/')).toBeNull()
  })

  test('POST reads the body, in any letter case', () => {
    expect(routeRequest('POST')).toEqual({ action: 'read' })
    expect(routeRequest('post')).toEqual({ action: 'read' })
  })

  test('OPTIONS is a CORS preflight: 204 with the NIP-98 headers allowed', () => {
    const decision = routeRequest('options')
    expect(decision.action).toBe('reply')
    if (decision.action !== 'reply') return
    expect(decision.reply.status).toBe(204)
    expect(decision.reply.headers['access-control-allow-origin']).toBe('*')
    expect(decision.reply.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization')
    expect(decision.reply.headers['access-control-allow-methods']).toContain('POST')
  })

  test.each(['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD'])('%s is 405 with Allow and a prefixed error', (method) => {
    const decision = routeRequest(method)
    expect(decision.action).toBe('reply')
    if (decision.action !== 'reply') return
    expect(decision.reply.status).toBe(405)
    expect(decision.reply.headers.allow).toBe('POST, OPTIONS')
    expect(JSON.parse(decision.reply.body)).toEqual({ error: `unsupported: method ${method} is not allowed here; use POST` })
  })
})
