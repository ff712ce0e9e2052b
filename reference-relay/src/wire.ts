/** Encoding of relay → client frames (NIP-01, NIP-45). The one place reasons reach the wire. */

import type { NostrEvent } from '../../spec/model/event.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import type { FaultSet } from './faults.ts'

export interface Wire {
  ok(id: string, accepted: boolean, message: string): string
  closed(subId: string, message: string): string
  notice(message: string): string
  event(subId: string, event: NostrEvent): string
  /** EVENT frames of one event for many subscriptions: the event is encoded once. */
  liveEvent(event: NostrEvent): (subId: string) => string
  eose(subId: string): string
  count(subId: string, count: number): string
}

function withoutPrefix(message: string): string {
  const prefix = reasonPrefixOf(message)
  return prefix === null ? message : message.slice(prefix.length + 2)
}

export function createWire(faults: FaultSet): Wire {
  const refusal = faults.has('reasons-without-prefix') ? withoutPrefix : (message: string) => message
  return {
    ok: (id, accepted, message) => JSON.stringify(['OK', id, accepted, accepted ? message : refusal(message)]),
    closed: (subId, message) => JSON.stringify(['CLOSED', subId, refusal(message)]),
    notice: (message) => JSON.stringify(['NOTICE', refusal(message)]),
    event: (subId, event) => JSON.stringify(['EVENT', subId, event]),
    liveEvent: (event) => {
      const json = JSON.stringify(event)
      // The same text JSON.stringify(['EVENT', subId, event]) gives (wire.test.ts).
      return (subId) => `["EVENT",${JSON.stringify(subId)},${json}]`
    },
    eose: (subId) => JSON.stringify(['EOSE', subId]),
    count: (subId, count) => JSON.stringify(['COUNT', subId, { count }]),
  }
}
