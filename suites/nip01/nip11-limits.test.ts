import { type CaseContext, type RelayConnection, expectAccepted, expectEose, relayCase, violation } from '../../harness/src/authoring.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { utf8ByteLength } from '../../spec/model/bytes.ts'

function limit(c: CaseContext, name: string, max: number): number | undefined {
  const value = c.probe.nip11.limitation[name]
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return undefined
  if (value > max) {
    c.note(`${name} = ${value} is above what this case exercises (${max}); not checked at the limit`)
    return undefined
  }
  return value
}

/** A kind 1 note whose ["EVENT", ...] message is exactly `bytes` long, padded in content then in one tag. */
function eventOfMessageSize(c: CaseContext, bytes: number, maxContent: number): ReturnType<CaseContext['sign']> | undefined {
  const created_at = c.now()
  const size = (content: string, pad: string) =>
    utf8ByteLength(JSON.stringify(['EVENT', c.sign({ kind: 1, created_at, content, tags: pad ? [['padding', pad]] : [] })]))
  const base = size('', '')
  if (bytes - base <= maxContent) return c.sign({ kind: 1, created_at, content: 'x'.repeat(bytes - base) })
  const content = 'x'.repeat(maxContent)
  const withTag = size(content, 'y')
  const pad = bytes - withTag + 1
  if (pad < 1) return undefined
  return c.sign({ kind: 1, created_at, content, tags: [['padding', 'y'.repeat(pad)]] })
}

async function expectReqServed(ws: RelayConnection, subId: string, filters: object[], what: string): Promise<void> {
  const since = ws.mark
  ws.send(['REQ', subId, ...filters])
  const frame = await ws.waitFor((f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === subId, `the answer to ${what}`, { since })
  if (frame[0] === 'CLOSED') violation(`${what} was refused although it is within the advertised limit: ${JSON.stringify(frame[2])}`)
  ws.send(['CLOSE', subId])
}

relayCase(
  {
    id: 'nip01.nip11-limits-honoured',
    title: 'messages, content, tags, subscription ids, filters, subscriptions and result counts up to the advertised NIP-11 limits are honoured',
    requirements: ['AP-BASE-18'],
    level: 'MUST',
    profile: 'core',
    needs: ['nip11'],
  },
  async (c) => {
    const ws = await c.connect()
    const checked: string[] = []
    const subid = limit(c, 'max_subid_length', 4096)
    if (subid !== undefined) {
      await expectReqServed(ws, 's'.repeat(subid), [{ ids: ['0'.repeat(64)] }], `a REQ with a ${subid}-character subscription id`)
      checked.push('max_subid_length')
    }
    const filters = limit(c, 'max_filters', 100)
    if (filters !== undefined) {
      const many = Array.from({ length: filters }, (_, i) => ({ authors: [c.keys.pubkey], kinds: [i] }))
      await expectReqServed(ws, `filters-${c.slug()}`, many, `a REQ with ${filters} filters`)
      checked.push('max_filters')
    }
    const subscriptions = limit(c, 'max_subscriptions', 2048)
    if (subscriptions !== undefined) {
      const fresh = await c.connect()
      const since = fresh.mark
      const ids = Array.from({ length: subscriptions }, (_, i) => `sub-${i}`)
      for (const id of ids) fresh.send(['REQ', id, { ids: ['0'.repeat(64)] }])
      const last = ids[ids.length - 1] as string
      await fresh.waitFor((f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === last, `the answer to subscription ${subscriptions}`, { since })
      const closed = fresh.frames.slice(since).filter((f) => f[0] === 'CLOSED')
      if (closed.length > 0) violation(`${closed.length} of ${subscriptions} subscriptions (the advertised maximum) were refused: ${JSON.stringify(closed[0])}`)
      checked.push('max_subscriptions')
    }
    const maxMessage = limit(c, 'max_message_length', 1_048_576)
    const maxContent = limit(c, 'max_content_length', 1_048_576)
    if (maxMessage !== undefined) {
      const event = eventOfMessageSize(c, maxMessage, maxContent ?? Number.MAX_SAFE_INTEGER)
      if (event !== undefined) {
        expectAccepted(await ws.publish(event), `an EVENT message of exactly max_message_length = ${maxMessage} bytes`)
        checked.push('max_message_length')
      }
    }
    if (maxContent !== undefined) {
      const event = c.sign({ kind: 1, content: 'c'.repeat(maxContent) })
      const bytes = utf8ByteLength(JSON.stringify(['EVENT', event]))
      if (maxMessage === undefined || bytes <= maxMessage) {
        expectAccepted(await ws.publish(event), `content of exactly max_content_length = ${maxContent} characters`)
        checked.push('max_content_length')
      } else {
        c.note(`max_content_length ${maxContent} does not fit in max_message_length ${maxMessage}; content limit not exercised`)
      }
    }
    const maxTags = limit(c, 'max_event_tags', 5000)
    if (maxTags !== undefined) {
      const slug = c.slug()
      const tags = [['d', slug], ...Array.from({ length: maxTags - 1 }, (_, i) => ['t', `t${i}`])]
      const event = c.persona({ slug, tags })
      const bytes = utf8ByteLength(JSON.stringify(['EVENT', event]))
      if (maxMessage === undefined || bytes <= maxMessage) {
        expectAccepted(await ws.publish(event), `a persona with exactly max_event_tags = ${maxTags} tags`)
        checked.push('max_event_tags')
      }
    }
    const maxLimit = limit(c, 'max_limit', 1_000_000)
    if (maxLimit !== undefined) {
      if (maxLimit <= 40) {
        for (let i = 0; i <= maxLimit; i += 1) expectAccepted(await ws.publish(c.sign({ kind: 1, created_at: c.now() - i, content: `n${i}` })), `note ${i}`)
      }
      const reply = await ws.query([{ kinds: [1, PersonaKind], limit: maxLimit + 1 }])
      expectEose(reply, `a REQ with limit max_limit + 1 = ${maxLimit + 1}`)
      if (reply.events.length > maxLimit) violation(`a REQ returned ${reply.events.length} stored events, above max_limit = ${maxLimit}`)
      checked.push('max_limit')
    }
    if (checked.length === 0) c.skip('NIP-11 advertises no limitation this case can exercise')
    c.note(`limits exercised: ${checked.join(', ')}`)
  },
)
