import { describe, expect, test } from 'vitest'
import { checkPersonaEnvelope, personaTags, valuedDTags } from './envelope.ts'

describe('persona envelope', () => {
  test('accepts exactly one valued d tag and reports its slug', () => {
    expect(checkPersonaEnvelope([['d', 'agent']])).toEqual({ ok: true, slug: 'agent' })
  })

  test('alt and unrelated tags do not matter', () => {
    expect(checkPersonaEnvelope([['alt', 'x'], ['d', 'agent'], ['h', 'c'], ['p', 'f'.repeat(64)]])).toEqual({ ok: true, slug: 'agent' })
  })

  test('counts only d tags that carry a value', () => {
    expect(valuedDTags([['d'], ['d', ''], ['d', 'x'], ['e', 'y']])).toEqual(['', 'x'])
    expect(checkPersonaEnvelope([['d'], ['d', 'agent']])).toEqual({ ok: true, slug: 'agent' })
    expect(checkPersonaEnvelope([['d']])).toEqual({
      ok: false,
      message: 'invalid: persona event must have exactly one `d` tag (got 0)',
    })
  })

  test('refuses zero and two valued d tags with the count', () => {
    expect(checkPersonaEnvelope([])).toMatchObject({ message: 'invalid: persona event must have exactly one `d` tag (got 0)' })
    expect(checkPersonaEnvelope([['d', 'a'], ['d', 'b']])).toMatchObject({
      message: 'invalid: persona event must have exactly one `d` tag (got 2)',
    })
  })

  test('an empty value counts as a d tag and is then refused as empty', () => {
    expect(checkPersonaEnvelope([['d', '']])).toMatchObject({ message: 'invalid: persona event `d` tag must not be empty' })
  })

  test('writers emit exactly [["d", slug]], alt only when asked', () => {
    expect(personaTags('agent')).toEqual([['d', 'agent']])
    expect(personaTags('agent', { alt: true })).toEqual([['d', 'agent'], ['alt', 'agent persona definition']])
  })
})
