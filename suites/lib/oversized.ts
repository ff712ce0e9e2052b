/**
 * Sending a body larger than the bridge accepts, so that the status can be judged. A server
 * may answer `413` as soon as it sees the `Content-Length` and close the connection while the
 * body is still being written (RFC 9110 allows it); a client that writes first and reads
 * afterwards then often sees only a broken pipe, which says nothing about the status. So the
 * request asks `Expect: 100-continue`: the body is written only once the server says
 * `100 Continue` (or after a second of silence, for servers that ignore the header), a final
 * answer that comes first is read without writing the body, and a transport error after the
 * answer arrived does not hide it. Only when the connection fails before any answer, three
 * times in a row, is the case unable to judge (HarnessError, graded `error`).
 */

import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { type CaseContext, HarnessError } from '../../harness/src/authoring.ts'

export interface OversizedReply {
  status: number
  text: string
}

const ContinueWaitMs = 1000
const Attempts = 3

function once(c: CaseContext, method: string, url: URL, body: Buffer, headers: Record<string, string>): Promise<OversizedReply> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(url, {
      method,
      headers: { ...headers, 'content-length': String(body.length), expect: '100-continue' },
      timeout: c.timeoutMs,
    })
    let answered = false
    let bodySent = false
    const writeBody = (): void => {
      if (bodySent || answered) return
      bodySent = true
      req.end(body)
    }
    const fallback = setTimeout(writeBody, ContinueWaitMs)
    req.on('continue', writeBody)
    req.on('response', (res) => {
      answered = true
      clearTimeout(fallback)
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
        req.destroy()
      })
      res.on('error', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${c.timeoutMs} ms`)))
    req.on('error', (error) => {
      clearTimeout(fallback)
      if (!answered) reject(error)
    })
    req.flushHeaders()
  })
}

/** Sends `body` (over the bridge's limit) and returns the status and body of the answer. */
export async function sendOversized(c: CaseContext, method: string, path: string, body: string, headers: Record<string, string> = {}): Promise<OversizedReply> {
  const url = new URL(path, c.target.httpUrl)
  const bytes = Buffer.from(body, 'utf8')
  c.transcript.record('http', 'http', `> ${method} ${url} [expect: 100-continue; ${Object.keys(headers).join(', ')}] (${bytes.length}-byte body)`)
  for (let attempt = 1; ; attempt += 1) {
    try {
      const reply = await once(c, method, url, bytes, headers)
      c.transcript.record('http', 'http', `< ${reply.status}\n${reply.text.slice(0, 200)}`)
      return reply
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      c.transcript.record('http', 'http', `< failed before any answer: ${message}`)
      if (attempt === Attempts) throw new HarnessError('http', `${method} ${url} with a ${bytes.length}-byte body: the connection failed before any answer, ${Attempts} times (${message})`)
    }
  }
}
