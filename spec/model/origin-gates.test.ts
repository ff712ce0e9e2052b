import { describe, expect, test } from 'vitest'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { checkDeletionOrigin, OriginDeletionRefusals, originTargetCountRefusal } from './deletion.ts'
import { buildHttpAuthEvent, checkHttpAuthOrigin, encodeHttpAuthHeader, OriginHttpAuthTexts } from './http-auth.ts'
import { mayWriteAs, RelayAuthMessages } from './relay-auth.ts'
import { CountGateRefusal, originReadRefusal, passesReadGate, ReqGateRefusal, singleChannelOf } from './read-gate.ts'

const me = 'a'.repeat(64)
const other = 'b'.repeat(64)
const target = 'c'.repeat(64)

describe("the origin relay's deletion checks", () => {
  const held = (id: string) => (id === target ? me : id === 'd'.repeat(64) ? other : undefined)
  const check = (tags: string[][]) => checkDeletionOrigin({ pubkey: me, tags }, held)
  test('one target of the signer passes', () => {
    expect(check([['a', `30175:${me}:x`], ['k', '30175']])).toEqual({ ok: true })
    expect(check([['e', target]])).toEqual({ ok: true })
  })
  test('targets and authorship come before the count', () => {
    expect(check([])).toEqual({ ok: false, message: OriginDeletionRefusals.missingTarget })
    expect(check([['e', 'e'.repeat(64)], ['e', target]])).toEqual({ ok: false, message: OriginDeletionRefusals.targetMissing })
    expect(check([['e', 'd'.repeat(64)], ['a', `30175:${me}:x`]])).toEqual({ ok: false, message: OriginDeletionRefusals.notAuthor })
    expect(check([['a', `30175:${other}:x`], ['a', `30175:${me}:x`]])).toEqual({ ok: false, message: OriginDeletionRefusals.notAuthor })
    expect(check([['a', 'no-colon']])).toEqual({ ok: false, message: OriginDeletionRefusals.badAddress })
    expect(check([['a', '30175:zz:x']])).toEqual({ ok: false, message: OriginDeletionRefusals.badAddressPubkey })
  })
  test('then exactly one e or a tag in all', () => {
    expect(check([['e', target], ['a', `30175:${me}:x`]])).toEqual({ ok: false, message: originTargetCountRefusal(1, 1) })
    expect(check([['a', `30175:${me}:x`], ['a', `30175:${me}:y`]])).toEqual({ ok: false, message: originTargetCountRefusal(0, 2) })
    expect(originTargetCountRefusal(2, 0)).toBe('invalid: deletion events must reference exactly one target via e or a tag (got e=2, a=0)')
  })
})

describe("the origin relay's read gate", () => {
  test('kindless filters pass only with ids or #p naming the caller only', () => {
    expect(passesReadGate([{ authors: [me] }], me)).toBe(false)
    expect(passesReadGate([{ ids: [target] }], me)).toBe(true)
    expect(passesReadGate([{ '#p': [me] }], me)).toBe(true)
    expect(passesReadGate([{ '#p': [me, other] }], me)).toBe(false)
    expect(passesReadGate([{ kinds: [30175] }, { authors: [me] }], me)).toBe(false)
    expect(passesReadGate([{ kinds: [] }], me)).toBe(true)
    expect(passesReadGate([{ kinds: [1059], authors: [me] }], me)).toBe(false)
  })
  test('a REQ reads one channel when every filter names the same UUID', () => {
    const ch = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b'
    expect(singleChannelOf([{ '#h': [ch] }, { '#h': [`{${ch}}`] }])).toBe(ch)
    expect(singleChannelOf([{ '#h': [ch] }, {}])).toBeNull()
  })
  test('a WebSocket read gets the REQ or COUNT text; one channel exempts a REQ only', () => {
    const ch = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b'
    expect(originReadRefusal('REQ', [{ authors: [me] }], me)).toBe(ReqGateRefusal)
    expect(originReadRefusal('COUNT', [{ authors: [me] }], me)).toBe(CountGateRefusal)
    expect(originReadRefusal('REQ', [{ '#h': [ch] }], me)).toBeNull()
    expect(originReadRefusal('COUNT', [{ '#h': [ch] }], me)).toBe(CountGateRefusal)
    expect(originReadRefusal('REQ', [{ '#p': [me] }], null)).toBe(ReqGateRefusal)
    expect(originReadRefusal('REQ', [{ kinds: [30175] }], null)).toBeNull()
  })
})

describe("the origin relay's key binding", () => {
  test('one key per connection, gift wraps excepted; the text is the origin\'s', () => {
    expect(mayWriteAs({ kind: 1, pubkey: other }, me)).toBe(false)
    expect(mayWriteAs({ kind: 1059, pubkey: other }, me)).toBe(true)
    expect(RelayAuthMessages.pubkeyMismatch).toBe('invalid: event pubkey does not match authenticated identity')
  })
})

describe("the origin relay's bridge authentication", () => {
  const secretKey = generateSecretKey()
  const now = 1_800_000_000
  const url = 'http://127.0.0.1:7777/query'
  const base = { xPubkey: undefined, canonicalUrl: url, method: 'POST', body: '[]', now }
  const header = (over: Partial<Parameters<typeof buildHttpAuthEvent>[0]> = {}) =>
    encodeHttpAuthHeader(buildHttpAuthEvent({ secretKey, url, method: 'POST', body: '[]', createdAt: now, ...over }))
  const never = () => false
  test('a good token authenticates its signer, once', () => {
    const seen = new Set<string>()
    const memory = (id: string) => (seen.has(id) ? true : (seen.add(id), false))
    const h = header()
    expect(checkHttpAuthOrigin({ ...base, authorization: h }, memory, true)).toMatchObject({ ok: true, pubkey: getPublicKey(secretKey) })
    expect(checkHttpAuthOrigin({ ...base, authorization: h }, memory, true)).toEqual({ ok: false, message: OriginHttpAuthTexts.replay })
  })
  test('each failure has its text', () => {
    const f = (authorization: string | undefined, xPubkey?: string, accept = true) => checkHttpAuthOrigin({ ...base, authorization, xPubkey }, never, accept)
    expect(f(undefined)).toEqual({ ok: false, message: OriginHttpAuthTexts.missing })
    expect(f('Bearer x')).toEqual({ ok: false, message: OriginHttpAuthTexts.missing })
    expect(f('Nostr !!!')).toEqual({ ok: false, message: OriginHttpAuthTexts.base64 })
    expect(f(`Nostr ${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')}`)).toEqual({ ok: false, message: OriginHttpAuthTexts.utf8 })
    expect(f(`Nostr ${Buffer.from('{}').toString('base64')}`)).toEqual({ ok: false, message: OriginHttpAuthTexts.json })
    for (const over of [{ url: 'http://127.0.0.1:7777/count' }, { method: 'GET' }, { createdAt: now - 61 }, { body: '[1]' }]) {
      expect(f(header(over))).toMatchObject({ ok: false, message: expect.stringMatching(/^NIP-98: NIP-98 HTTP Auth verification failed: \S/) })
    }
    expect(f(undefined, me)).toEqual({ ok: true, pubkey: me, id: null })
    expect(f(undefined, 'xyz')).toEqual({ ok: false, message: OriginHttpAuthTexts.xPubkey })
    expect(f(undefined, me, false)).toEqual({ ok: false, message: OriginHttpAuthTexts.missing })
  })
})
