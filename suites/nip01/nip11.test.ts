import { type CaseContext, type HttpReply, relayCase, violation } from '../../harness/src/authoring.ts'

async function fetchInformation(c: CaseContext): Promise<HttpReply> {
  return c.http.get(c.target.httpUrl, { headers: { accept: 'application/nostr+json' } })
}

relayCase(
  {
    id: 'nip01.nip11-document',
    title: 'a relay serving NIP-11 answers GET with Accept: application/nostr+json with a JSON object whose supported_nips is an array of integers',
    requirements: ['AP-BASE-16'],
    level: 'SHOULD',
    profile: 'core',
    // NIP-11 is optional: a relay without a document is not judged here.
    needs: ['nip11'],
  },
  async (c) => {
    const reply = await fetchInformation(c)
    if (reply.status !== 200) violation(`NIP-11 request answered HTTP ${reply.status}`)
    const doc = reply.json
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) violation(`NIP-11 body is not a JSON object: ${reply.text.slice(0, 120)}`)
    const nips = (doc as { supported_nips?: unknown }).supported_nips
    if (nips !== undefined && !(Array.isArray(nips) && nips.every((n) => Number.isInteger(n)))) {
      violation(`supported_nips is not an array of integers: ${JSON.stringify(nips)}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.nip11-cors',
    title: 'the NIP-11 response carries Access-Control-Allow-Origin, and it or its CORS preflight -Headers and -Methods',
    requirements: ['AP-BASE-17'],
    level: 'MUST',
    profile: 'core',
    needs: ['nip11'],
  },
  async (c) => {
    // Browsers read Allow-Origin from the response itself and Allow-Headers/-Methods from the
    // preflight that precedes a request needing them, so either place satisfies those two (AMB-56).
    const reply = await fetchInformation(c)
    if (reply.headers['access-control-allow-origin'] === undefined) violation('the NIP-11 response lacks access-control-allow-origin')
    const onGet = ['access-control-allow-headers', 'access-control-allow-methods'].filter((name) => reply.headers[name] === undefined)
    if (onGet.length === 0) return
    c.note(`the GET response lacks ${onGet.join(', ')}; asking the CORS preflight`)
    const preflight = await c.http.request('OPTIONS', c.target.httpUrl, undefined, {
      auth: false,
      headers: { origin: 'https://client.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'accept' },
    })
    const missing = onGet.filter((name) => preflight.headers[name] === undefined)
    if (missing.length > 0) violation(`neither the NIP-11 response nor its CORS preflight (HTTP ${preflight.status}) carries ${missing.join(', ')}`)
  },
)
