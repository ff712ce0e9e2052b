import { fc, test } from '@fast-check/vitest'
import { generateSecretKey } from 'nostr-tools/pure'
import { describe, expect } from 'vitest'
import { personaContent, unknownFields } from '../../spec/arbitraries/content.ts'
import { serializePersonaContent } from '../../spec/model/content.ts'
import { hashPersonaContent } from '../../spec/model/hash.ts'
import { driftOf } from './drift.ts'
import { viewPersona } from './persona.ts'
import { takeSnapshot } from './snapshot.ts'
import { signPersona } from './testing/helpers.ts'
import { covers } from './testing/covers.ts'

const sk = generateSecretKey()

/** The same body written another way: keys shuffled, defaults spelled out or left out, unknown fields added. */
const rewrittenBody = fc
  .tuple(personaContent, unknownFields, fc.boolean(), fc.nat())
  .map(([content, extra, spellDefaults, seed]) => {
    const fields: Array<[string, unknown]> = Object.entries(JSON.parse(serializePersonaContent(content)) as Record<string, unknown>)
    if (spellDefaults) {
      for (const field of ['avatar_url', 'runtime', 'model', 'provider'] as const) if (content[field] === null) fields.push([field, null])
      if (content.name_pool.length === 0) fields.push(['name_pool', []])
    }
    fields.push(...Object.entries(extra))
    const rotated = fields.map((_, i) => fields[(i + seed) % fields.length] as [string, unknown])
    return { content, text: JSON.stringify(Object.fromEntries(rotated.reverse())) }
  })

describe('persona_source_version (the content hash) as the client computes it', covers('AP-HASH-1', 'AP-BODY-5', 'AP-BODY-6', 'AP-AGENT-7'), () => {
  test.prop([rewrittenBody], { numRuns: 60 })('key order, spelled-out defaults and unknown fields do not change it', ({ content, text }) => {
    const event = signPersona(sk, 'p', {}, 1000)
    const view = viewPersona({ ...event, content: text })
    expect(view.ok && view.version).toBe(hashPersonaContent(content))
  })

  test.prop([personaContent, fc.string({ minLength: 1, maxLength: 20 })], { numRuns: 40 })(
    'a changed system prompt changes it, so an agent pinned to the old body is out of date',
    (content, suffix) => {
      const before = signPersona(sk, 'p', JSON.parse(serializePersonaContent(content)), 1000)
      const edited = signPersona(sk, 'p', JSON.parse(serializePersonaContent({ ...content, system_prompt: content.system_prompt + suffix })), 1001)
      const pinned = takeSnapshot({ event: before, localEnv: {}, pinnedEnv: {}, takenNames: new Set(), now: new Date(0) })
      const live = viewPersona(edited)
      expect(pinned.ok && live.ok).toBe(true)
      if (!pinned.ok || !live.ok) return
      expect(driftOf(pinned.snapshot.persona_source_version, { status: 'present', version: live.version, event_id: edited.id })).toBe('out-of-date')
      expect(driftOf(pinned.snapshot.persona_source_version, { status: 'present', version: pinned.snapshot.persona_source_version, event_id: before.id })).toBe(
        'up-to-date',
      )
    },
  )
})
