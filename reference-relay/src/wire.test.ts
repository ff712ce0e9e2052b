import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { createWire } from './wire.ts'

const eventArb: fc.Arbitrary<NostrEvent> = fc.record({
  id: fc.string(),
  pubkey: fc.string(),
  created_at: fc.nat(),
  kind: fc.nat({ max: 65535 }),
  tags: fc.array(fc.array(fc.string({ unit: 'binary' }))),
  content: fc.string({ unit: 'binary' }),
  sig: fc.string(),
})

describe('wire', () => {
  test.prop([eventArb, fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 })])(
    'live EVENT frames encoded once, and stored EVENT frames built from the stored JSON, are the frames encoded one by one',
    (event, subIds) => {
      const wire = createWire()
      const frameFor = wire.liveEvent(event)
      const stored = JSON.stringify(event)
      for (const subId of subIds) {
        expect(frameFor(subId)).toBe(wire.event(subId, event))
        expect(wire.storedEvent(subId, stored)).toBe(wire.event(subId, event))
      }
    },
  )
})
