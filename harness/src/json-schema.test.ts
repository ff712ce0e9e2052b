import { readdirSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { SchemasDir, type Schema, loadSchema, validateJson } from './json-schema.ts'

describe('validateJson', () => {
  const schema: Schema = {
    type: 'object',
    required: ['kind'],
    additionalProperties: false,
    properties: {
      kind: { enum: ['a', 'b'] },
      n: { type: 'integer', minimum: 0 },
      tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, minItems: 1 },
      either: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      link: { $ref: '#/$defs/link' },
    },
    $defs: { link: { type: ['string', 'null'] } },
  }

  test('accepts a valid value', () => {
    expect(validateJson({ kind: 'a', n: 1, tags: ['x'], either: 3, link: null }, schema)).toEqual([])
  })

  test('reports each violation with its path', () => {
    expect(validateJson({ kind: 'c', n: -1, tags: ['X'], either: true, link: 1, extra: 1 }, schema)).toEqual([
      '$.kind: "c" is not one of ["a","b"]',
      '$.n: below 0',
      '$.tags[0]: "X" does not match ^[a-z]+$',
      '$.either: matches 0 of the oneOf alternatives, expected exactly 1',
      '$.link: expected string or null, got integer',
      '$: unexpected property extra',
    ])
  })

  test('refuses a keyword it does not implement instead of ignoring it', () => {
    expect(() => validateJson('x', { format: 'date-time' })).toThrow(/format/)
  })

  test('follows $ref into a sibling schema file', () => {
    expect(validateJson('pass', { $ref: 'report.v1.schema.json#/$defs/outcome' })).toEqual([])
    expect(validateJson('flaky', { $ref: 'report.v1.schema.json#/$defs/outcome' })).toHaveLength(1)
  })
})

/** Every keyword in every committed schema must be one the validator implements. */
function walk(node: unknown, visit: (schema: Schema) => void): void {
  if (typeof node !== 'object' || node === null) return
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit)
    return
  }
  const schema = node as Schema
  visit(schema)
  for (const key of ['properties', '$defs']) {
    const children = schema[key]
    if (children && typeof children === 'object') for (const child of Object.values(children)) walk(child, visit)
  }
  for (const key of ['items', 'additionalProperties', 'oneOf', 'anyOf']) walk(schema[key], visit)
}

test.each(readdirSync(SchemasDir).filter((f) => f.endsWith('.json')))('%s uses only supported keywords and resolvable refs', (file) => {
  const root = loadSchema(file)
  walk(root, (schema) => {
    expect(() => validateJson(null, { ...schema, type: undefined as never }, { root })).not.toThrow()
  })
})
