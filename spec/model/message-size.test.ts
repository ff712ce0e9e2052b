import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { checkEventMessageSize, eventMessageByteLength } from './message-size.ts'

describe('EVENT message size', () => {
  const event = finalizeEvent({ kind: 1, created_at: 1_700_000_000, tags: [], content: 'é"\\' }, generateSecretKey())

  test('counts the UTF-8 bytes of the JSON message, escapes included', () => {
    const text = JSON.stringify(['EVENT', event])
    expect(eventMessageByteLength(event)).toBe(Buffer.byteLength(text, 'utf8'))
    expect(text).toContain('"é\\"\\\\"')
  })

  test('a message at the limit passes; one byte over is refused with both numbers; no limit refuses nothing', () => {
    const bytes = eventMessageByteLength(event)
    expect(checkEventMessageSize(event, bytes)).toEqual({ ok: true })
    expect(checkEventMessageSize(event, undefined)).toEqual({ ok: true })
    expect(checkEventMessageSize(event, bytes - 1)).toEqual({
      ok: false,
      message: `blocked: the EVENT message is ${bytes} bytes; the relay accepts at most ${bytes - 1} (NIP-11 max_message_length)`,
    })
  })
})
