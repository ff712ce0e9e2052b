/** Encoding of relay → client frames (NIP-01, NIP-45). The one place reasons reach the wire. */

import type { NostrEvent } from '../../spec/model/event.ts'

export interface Wire {
  ok(id: string, accepted: boolean, message: string): string
  closed(subId: string, message: string): string
  notice(message: string): string
  event(subId: string, event: NostrEvent): string
  /** EVENT frame of a stored event from its stored JSON text, without parsing it. */
  storedEvent(subId: string, json: string): string
  /**
   * EVENT frames of one event for many subscriptions: the event is encoded once, and each
   * subscription id's frame is built once (subscriptions on many connections often share an id).
   */
  liveEvent(event: NostrEvent): (subId: string) => string
  eose(subId: string): string
  count(subId: string, count: number): string
}

export function createWire(): Wire {
  return {
    ok: (id, accepted, message) => JSON.stringify(['OK', id, accepted, message]),
    closed: (subId, message) => JSON.stringify(['CLOSED', subId, message]),
    notice: (message) => JSON.stringify(['NOTICE', message]),
    event: (subId, event) => JSON.stringify(['EVENT', subId, event]),
    // The same text JSON.stringify(['EVENT', subId, event]) gives (wire.test.ts).
    storedEvent: (subId, json) => `["EVENT",${JSON.stringify(subId)},${json}]`,
    liveEvent: (event) => {
      const json = JSON.stringify(event)
      const frames = new Map<string, string>()
      return (subId) => {
        let frame = frames.get(subId)
        if (frame === undefined) frames.set(subId, (frame = `["EVENT",${JSON.stringify(subId)},${json}]`))
        return frame
      }
    },
    eose: (subId) => JSON.stringify(['EOSE', subId]),
    count: (subId, count) => JSON.stringify(['COUNT', subId, { count }]),
  }
}
