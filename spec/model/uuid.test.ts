import { describe, expect, test } from 'vitest'
import { parseUuid, uuidForms } from './uuid.ts'

const id = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b'

describe('parseUuid (the origin relay reading of an h value)', () => {
  test('every accepted form names the same UUID', () => {
    for (const text of Object.values(uuidForms(id))) expect(parseUuid(text), text).toBe(id)
  })

  test.each([
    ['an empty value', ''],
    ['a free group name', 'general'],
    ['a hyphen out of place', '3f2b8c1e9-a4d-4e6f-8b7a-0c1d2e3f4a5b'],
    ['a digit short', '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5'],
    ['a non-hex digit', '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5g'],
    ['braces around the simple form', `{${id.replaceAll('-', '')}}`],
    ['an upper-case urn prefix', `URN:UUID:${id}`],
    ['a lone brace', `{${id}`],
  ])('%s does not parse', (_what, text) => {
    expect(parseUuid(text)).toBeNull()
  })
})
