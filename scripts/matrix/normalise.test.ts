import { describe, expect, test } from 'vitest'
import { Labeller, normaliseReport, normaliseText } from './normalise.ts'
import { fixturePair } from './test-fixtures.ts'

const id1 = 'a'.repeat(63) + '1'
const id2 = 'b'.repeat(63) + '2'
const sig = 'c'.repeat(128)

describe('normaliseText', () => {
  test('labels 64-hex values in order of first appearance and reuses the label for each repeat', () => {
    const labeller = new Labeller()
    expect(normaliseText(`["OK","${id2}",true] ${id1} ${id2}`, labeller)).toBe('["OK","‹x1›",true] ‹x2› ‹x1›')
  })

  test('a 12-hex short id gets the label of the full id it starts, other 12-hex tokens their own', () => {
    const labeller = new Labeller()
    normaliseText(id1, labeller)
    expect(normaliseText(`head ${id1.slice(0, 12)}, slug case-0123456789ab`, labeller)).toBe('head ‹x1›, slug case-‹r1›')
  })

  test('signatures, subscription ids, loopback ports and the checkout path are replaced', () => {
    const labeller = new Labeller()
    const text = `["REQ","h1x2y-3-k9z8q1",{}] ws://127.0.0.1:40123 ${sig} at /src/repo/suites/x.test.ts:3:5`
    expect(normaliseText(text, labeller, { repoRoot: '/src/repo' })).toBe('["REQ","‹sub1›",{}] ws://127.0.0.1:PORT ‹sig1› at suites/x.test.ts:3:5')
  })

  test('hex runs of other lengths, numbers and dates are left alone', () => {
    const text = 'created_at 1800000000, 13 hex 0123456789abc, Date: Thu, 01 Jan 2026 00:00:00 GMT'
    expect(normaliseText(text, new Labeller())).toBe(text)
  })
})

describe('normaliseReport', () => {
  test('two regenerations with other keys, ports and checkouts normalise to the same report', () => {
    const a = fixturePair({ port: 40001, repoRoot: '/one' }).thirdParty
    const b = fixturePair({ port: 51234, repoRoot: '/elsewhere/two' }).thirdParty
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b))
    expect(normaliseReport(a, { repoRoot: '/one' })).toEqual(normaliseReport(b, { repoRoot: '/elsewhere/two' }))
  })

  test("labels restart in every case and a case's message uses the labels of its transcript", () => {
    const report = normaliseReport(fixturePair({ port: 1, repoRoot: '/r' }).thirdParty, { repoRoot: '/r' })
    const [tieBreak, slug] = report.cases
    expect(tieBreak?.message).toBe("the relay's answer gives ‹x2› (created_at 1800000000)")
    expect(slug?.message).toBe('expected ‹x2› (slug case-‹r1›) to be refused, relay answered OK true ""')
    expect(slug?.transcript[1]?.text).toContain('"pubkey":"‹x1›","id":"‹x2›","sig":"‹sig1›"')
  })

  test('the input report is not changed', () => {
    const report = fixturePair({ port: 1, repoRoot: '/r' }).thirdParty
    const before = JSON.stringify(report)
    normaliseReport(report, { repoRoot: '/r' })
    expect(JSON.stringify(report)).toBe(before)
  })
})
