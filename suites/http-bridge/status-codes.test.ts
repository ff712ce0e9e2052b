import { type HttpReply, relayCase, violation } from '../../harness/src/authoring.ts'
import { buildHttpAuthHeader } from '../../spec/model/http-auth.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { sendOversized } from '../lib/oversized.ts'

function expectStatus(reply: { status: number; text: string }, status: number, what: string): void {
  if (reply.status !== status) violation(`${what}: answered ${reply.status}, expected ${status} (${reply.text.slice(0, 160)})`)
}

/** A 400 carries {"error": <string>}; the origin's parse errors have no machine-readable prefix. */
function expectBadRequest(reply: HttpReply, what: string): void {
  expectStatus(reply, 400, what)
  const error = (reply.json as { error?: unknown } | undefined)?.error
  if (typeof error !== 'string' || error.length === 0) violation(`${what}: the 400 body is not {"error": <message>}: ${reply.text.slice(0, 160)}`)
}

/** A body over the bridge's 1 MiB limit that is otherwise a valid filter list. */
const huge = JSON.stringify([{ kinds: [PersonaKind], authors: Array.from({ length: 17_000 }, (_, i) => i.toString(16).padStart(64, '0')) }])

relayCase(
  {
    id: 'http-bridge.status-codes',
    title: 'the bridge answers bodies that do not parse 400 {error}, over 1 MiB 413, other methods 405 and unknown paths 404',
    requirements: ['AP-HTTP-5'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const http = c.http
    expectBadRequest(await http.post('/events', '{"not": json'), 'POST /events with a body that is not JSON')
    expectBadRequest(await http.post('/query', { kinds: [1] }), 'POST /query with an object instead of an array')
    expectBadRequest(await http.post('/events', [1, 2, 3]), 'POST /events with an array instead of an event')
    expectBadRequest(await http.post('/count', '"just a string"'), 'POST /count with a JSON string')
    if (huge.length <= 1_048_576) throw new Error(`case bug: the oversized body is only ${huge.length} bytes`)
    const url = new URL('/query', c.target.httpUrl).toString()
    const authorization = buildHttpAuthHeader({ secretKey: c.keys.secretKey, url, method: 'POST', body: huge })
    expectStatus(await sendOversized(c, 'POST', '/query', huge, { 'content-type': 'application/json', authorization }), 413, `an authenticated POST /query with a ${huge.length}-byte body`)
    expectStatus(await http.request('GET', '/events', undefined), 405, 'GET /events')
    expectStatus(await http.request('PUT', '/query', '[]'), 405, 'PUT /query')
    expectStatus(await http.post('/no-such-route', '[]'), 404, 'POST to an unknown path')
  },
)

relayCase(
  {
    id: 'http-bridge.status-precedence',
    title: 'an unknown path is 404 and another method 405 before authentication is looked at; a missing authentication is 401 before the body is parsed',
    requirements: ['AP-HTTP-5'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge', 'http-auth'],
  },
  async (c) => {
    const http = c.http
    expectStatus(await http.post('/no-such-route', '{"not": json', { auth: false }), 404, 'an unsigned POST of bad JSON to an unknown path')
    expectStatus(await http.request('PUT', '/query', '{"not": json', { auth: false }), 405, 'an unsigned PUT of bad JSON to /query')
    expectStatus(await http.request('GET', '/count', undefined, { auth: false }), 405, 'an unsigned GET /count')
    expectStatus(await http.post('/query', '{"not": json', { auth: false }), 401, 'an unsigned POST of bad JSON to /query')
    expectStatus(await http.post('/query', '{"not": json'), 400, 'a signed POST of bad JSON to /query')
  },
)
