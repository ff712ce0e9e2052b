import { type CaseContext, type HttpReply, type HttpRequestOptions, isHarnessError, relayCase, violation } from '../../harness/src/authoring.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'

function expectError(reply: HttpReply, status: number, what: string): void {
  if (reply.status !== status) violation(`${what}: answered ${reply.status}, expected ${status} (${reply.text.slice(0, 160)})`)
  const error = (reply.json as { error?: unknown } | undefined)?.error
  if (typeof error !== 'string') violation(`${what}: the ${status} body is not {"error": <message>}: ${reply.text.slice(0, 160)}`)
  if (reasonPrefixOf(error) === null) violation(`${what}: the error ${JSON.stringify(error)} has no machine-readable prefix`)
}

/** A body over the bridge's 1 MiB limit. */
const huge = `[${'0,'.repeat(600_000)}0]`

/**
 * Sends an oversized body. A server may answer early and close the connection while the
 * body is still being written (RFC 9110 allows it for 413 and friends); the client then
 * sometimes sees only a broken pipe. That says nothing about the status, so such a
 * transport failure is retried a few times before it becomes the case's error.
 */
async function sendHuge(c: CaseContext, method: string, path: string, options: HttpRequestOptions = {}): Promise<HttpReply> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await c.http.request(method, path, huge, { ...options, headers: { 'content-type': 'application/json', ...options.headers } })
    } catch (error) {
      if (!(isHarnessError(error) && error.kind === 'http') || attempt === 4) throw error
      c.note(`${method} ${path} with a ${huge.length}-byte body: ${error.message}; the relay closed before the body was sent, trying again`)
    }
  }
}

relayCase(
  {
    id: 'http-bridge.status-codes',
    title: 'the bridge answers bad JSON 400, wrong shape 400, over 1 MiB 413, other methods 405 and unknown paths 404, each with {error}',
    requirements: ['AP-HTTP-5'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const http = c.http
    const bad = await http.post('/events', '{"not": json')
    expectError(bad, 400, 'POST /events with a body that is not JSON')
    if (!String((bad.json as { error?: unknown }).error).startsWith('invalid: ')) violation('a body that is not JSON is not refused with an invalid: message')
    expectError(await http.post('/query', { kinds: [1] }), 400, 'POST /query with an object instead of an array')
    expectError(await http.post('/events', [1, 2, 3]), 400, 'POST /events with an array instead of an event')
    expectError(await http.post('/count', '"just a string"'), 400, 'POST /count with a JSON string')
    expectError(await sendHuge(c, 'POST', '/query'), 413, 'POST /query with a 1.2 MB body')
    expectError(await http.request('GET', '/events', undefined), 405, 'GET /events')
    expectError(await http.request('PUT', '/query', '[]'), 405, 'PUT /query')
    expectError(await http.post('/no-such-route', '[]'), 404, 'POST to an unknown path')
  },
)

relayCase(
  {
    id: 'http-bridge.status-precedence',
    title: 'when several bridge errors apply, the status is the first of 404, 405, 413, 401, 400',
    requirements: ['AP-HTTP-5'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge', 'http-auth'],
  },
  async (c) => {
    const http = c.http
    expectError(await sendHuge(c, 'PUT', '/no-such-route', { auth: false }), 404, 'PUT of a huge unsigned body to an unknown path')
    expectError(await sendHuge(c, 'PUT', '/query', { auth: false }), 405, 'PUT of a huge unsigned body to /query')
    expectError(await sendHuge(c, 'POST', '/query', { auth: false }), 413, 'POST of a huge unsigned body to /query')
    expectError(await http.post('/query', '{"not": json', { auth: false }), 401, 'POST of bad JSON without authorization')
    expectError(await http.post('/query', '{"not": json'), 400, 'POST of bad JSON with authorization')
  },
)
