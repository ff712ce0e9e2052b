import { fc, test } from '@fast-check/vitest'
import { getEventHash } from 'nostr-tools/pure'
import { describe, expect } from 'vitest'
import { hasValidId, type NostrEvent } from '../../../spec/model/event.ts'
import { hasValidIdFast } from './event-id.ts'

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`))

const unsigned = fc.record({
  pubkey: hex(64),
  created_at: fc.nat(),
  kind: fc.integer({ min: 0, max: 65535 }),
  tags: fc.array(fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }), { maxLength: 4 }),
  content: fc.string({ unit: 'binary', maxLength: 200 }),
  sig: hex(128),
})

describe('fast id check', () => {
  test.prop([unsigned, fc.boolean(), hex(64)], { numRuns: 300 })(
    'agrees with spec/model hasValidId on real and wrong ids, any unicode',
    (fields, honest, other) => {
      const id = honest ? getEventHash({ ...fields, id: '' } as NostrEvent) : other
      const event: NostrEvent = { ...fields, id }
      expect(hasValidIdFast(event)).toBe(hasValidId(event))
      if (honest) expect(hasValidIdFast(event)).toBe(true)
    },
  )
})
