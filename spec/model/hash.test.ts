import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { personaContent, unknownFields } from '../arbitraries/content.ts'
import { type PersonaContent, PersonaFields, parsePersonaContent } from './content.ts'
import { canonicalPersonaContent, hashPersonaContent, hashPersonaContentText } from './hash.ts'

function shuffled<T>(items: T[], order: number[]): T[] {
  return items.map((item, i) => ({ item, key: order[i % order.length] ?? 0 })).sort((a, b) => a.key - b.key).map((x) => x.item)
}

describe('content hash', () => {
  test('is lowercase hex SHA-256 of the canonical form', () => {
    const content: PersonaContent = {
      display_name: 'A', system_prompt: 'B', avatar_url: null, runtime: null, model: null, provider: null, name_pool: [],
    }
    expect(canonicalPersonaContent(content)).toBe(
      '{"display_name":"A","system_prompt":"B","avatar_url":null,"runtime":null,"model":null,"provider":null,"name_pool":[]}',
    )
    expect(hashPersonaContent(content)).toMatch(/^[0-9a-f]{64}$/)
  })

  test.prop([personaContent, unknownFields, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), fc.nat({ max: 4 })])(
    'does not change with key order, whitespace or unknown fields',
    (content, extra, order, indent) => {
      const entries = shuffled(Object.entries({ ...content, ...extra }), order)
      const text = JSON.stringify(Object.fromEntries(entries), null, indent)
      expect(hashPersonaContentText(text)).toBe(hashPersonaContent(content))
    },
  )

  test.prop([personaContent, fc.constantFrom(...PersonaFields), fc.string({ unit: 'binary', minLength: 1, maxLength: 10 })])(
    'changes when any known field changes',
    (content, field, salt) => {
      const changed: PersonaContent = { ...content }
      if (field === 'name_pool') changed.name_pool = [...content.name_pool, salt]
      else if (field === 'display_name' || field === 'system_prompt') changed[field] = content[field] + salt
      else changed[field] = content[field] === null ? salt : null
      expect(hashPersonaContent(changed)).not.toBe(hashPersonaContent(content))
    },
  )

  test('absent and null optional fields hash the same', () => {
    const absent = parsePersonaContent('{"display_name":"A","system_prompt":"B"}')
    const nulls = parsePersonaContent('{"display_name":"A","system_prompt":"B","model":null,"name_pool":[]}')
    expect(absent.ok && nulls.ok).toBe(true)
    if (absent.ok && nulls.ok) expect(hashPersonaContent(absent.content)).toBe(hashPersonaContent(nulls.content))
  })

  test('an invalid body has no hash', () => {
    expect(hashPersonaContentText('{"display_name":"A"}')).toBeNull()
  })
})
