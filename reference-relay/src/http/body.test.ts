import { describe, expect, test } from 'vitest'
import { announcesTooLarge, BodyCollector, MaxBodyBytes, tooLargeReply } from './body.ts'

describe('body collection', () => {
  test('joins chunks in order', () => {
    const collector = new BodyCollector(10)
    expect(collector.push(new TextEncoder().encode('abc').buffer)).toBe(true)
    expect(collector.push(new Uint8Array(0))).toBe(true)
    expect(collector.push(new TextEncoder().encode('de'))).toBe(true)
    expect(new TextDecoder().decode(collector.body())).toBe('abcde')
    expect(collector.bytes).toBe(5)
  })

  test('copies each chunk: the lender may reuse its buffer', () => {
    const collector = new BodyCollector(10)
    const lent = new Uint8Array([1, 2, 3])
    collector.push(lent)
    lent.fill(9)
    expect([...collector.body()]).toEqual([1, 2, 3])
  })

  test('exactly the limit passes, one byte more does not', () => {
    const exact = new BodyCollector(MaxBodyBytes)
    expect(exact.push(new Uint8Array(MaxBodyBytes - 1))).toBe(true)
    expect(exact.push(new Uint8Array(1))).toBe(true)
    expect(exact.body().byteLength).toBe(MaxBodyBytes)
    const over = new BodyCollector(MaxBodyBytes)
    expect(over.push(new Uint8Array(MaxBodyBytes))).toBe(true)
    expect(over.push(new Uint8Array(1))).toBe(false)
  })

  test('an announced Content-Length over the limit is refused up front', () => {
    expect(announcesTooLarge(String(MaxBodyBytes + 1))).toBe(true)
    expect(announcesTooLarge(String(MaxBodyBytes))).toBe(false)
    expect(announcesTooLarge(undefined)).toBe(false)
    expect(announcesTooLarge('banana')).toBe(false)
  })

  test('413 names the limit', () => {
    const reply = tooLargeReply()
    expect(reply.status).toBe(413)
    expect(JSON.parse(reply.body)).toEqual({ error: `invalid: request body exceeds ${MaxBodyBytes} bytes` })
  })
})
