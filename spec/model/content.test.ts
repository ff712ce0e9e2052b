import { describe, expect, test } from 'vitest'
import { checkWritableContent, MaxContentBytes, parsePersonaContent, serializePersonaContent } from './content.ts'

describe('persona content: readers', () => {
  test('applies defaults for absent optional fields', () => {
    const parsed = parsePersonaContent('{"display_name":"A","system_prompt":"B"}')
    expect(parsed).toEqual({
      ok: true,
      content: { display_name: 'A', system_prompt: 'B', avatar_url: null, runtime: null, model: null, provider: null, name_pool: [] },
      unknownFields: [],
    })
  })

  test('ignores and reports unknown fields, env_vars included', () => {
    const parsed = parsePersonaContent('{"display_name":"A","system_prompt":"B","env_vars":{"K":"v"},"color":"red"}')
    expect(parsed.ok && parsed.unknownFields).toEqual(['env_vars', 'color'])
    expect(parsed.ok && 'env_vars' in parsed.content).toBe(false)
  })

  test('refuses wrong types with the field named', () => {
    expect(parsePersonaContent('{"display_name":"A","system_prompt":"B","model":1}')).toEqual({
      ok: false,
      message: 'invalid: persona content field `model` must be a string or null',
    })
    expect(parsePersonaContent('{"display_name":"A","system_prompt":"B","name_pool":null}')).toMatchObject({
      message: 'invalid: persona content field `name_pool` must be an array of strings',
    })
  })

  test('the size limit is on UTF-8 bytes of the body', () => {
    const filler = (n: number) => JSON.stringify({ display_name: '', system_prompt: 'é'.repeat(n) })
    const overhead = filler(0).length
    const fits = Math.floor((MaxContentBytes - overhead) / 2)
    expect(parsePersonaContent(filler(fits)).ok).toBe(true)
    expect(parsePersonaContent(filler(fits + 1)).ok).toBe(false)
  })
})

describe('persona content: writers', () => {
  test('refuse env_vars in the public body', () => {
    expect(checkWritableContent({ display_name: 'A', system_prompt: 'B', env_vars: {} })).toEqual({
      ok: false,
      message: 'invalid: persona content must not contain `env_vars`; secrets stay local',
    })
  })

  test('refuse a serialized body over 65,535 bytes and accept one at the limit', () => {
    const overhead = serializePersonaContent({
      display_name: '', system_prompt: '', avatar_url: null, runtime: null, model: null, provider: null, name_pool: [],
    }).length
    const atLimit = { display_name: '', system_prompt: 'p'.repeat(MaxContentBytes - overhead) }
    expect(checkWritableContent(atLimit).ok).toBe(true)
    expect(checkWritableContent({ ...atLimit, system_prompt: `${atLimit.system_prompt}p` })).toEqual({
      ok: false,
      message: 'invalid: persona content is 65536 bytes, max 65535',
    })
  })

  test('serialize known fields in canonical order and drop unknown ones', () => {
    const check = checkWritableContent({ model: 'm', system_prompt: 'B', display_name: 'A', extra: 1 })
    expect(check).toEqual({ ok: true, serialized: '{"display_name":"A","system_prompt":"B","model":"m"}' })
  })
})
