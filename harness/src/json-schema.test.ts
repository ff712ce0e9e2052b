import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { loadSchemaSet } from '../../spec/json-schema.ts'
import { SchemasDir, harnessSchemas, validateJson } from './json-schema.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('nip-ap-schema-')

function schemaSet(schemas: Record<string, object>) {
  const dir = scratch()
  return loadSchemaSet(
    Object.entries(schemas).map(([name, schema]) => {
      writeFileSync(join(dir, name), JSON.stringify(schema))
      return join(dir, name)
    }),
  )
}

describe('loadSchemaSet', () => {
  const set = schemaSet({
    'thing.schema.json': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['kind'],
      additionalProperties: false,
      properties: {
        kind: { enum: ['a', 'b'] },
        n: { type: 'integer', minimum: 0 },
        tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, minItems: 1 },
        either: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        link: { $ref: 'other.schema.json#/$defs/link' },
      },
    },
    'other.schema.json': { $defs: { link: { type: ['string', 'null'] } } },
  })

  test('accepts a valid value', () => {
    expect(set.validate({ kind: 'a', n: 1, tags: ['x'], either: 3, link: null }, 'thing.schema.json')).toEqual([])
  })

  test('reports each violation with its path, across a $ref into a sibling file', () => {
    expect(set.validate({ kind: 'c', n: -1, tags: ['X'], either: true, link: 1, extra: 1 }, 'thing.schema.json').sort()).toEqual(
      [
        '$: unexpected property extra',
        '$.kind: "c" is not one of ["a","b"]',
        '$.n: must be >= 0',
        '$.tags[0]: "X" does not match ^[a-z]+$',
        '$.either: must be string',
        '$.either: must be integer',
        '$.either: must match exactly one schema in oneOf',
        '$.link: must be string,null',
      ].sort(),
    )
    expect(set.validate({}, 'thing.schema.json')).toEqual(['$: missing required property kind'])
  })

  test('names a definition by file#pointer', () => {
    expect(set.validate('x', 'other.schema.json#/$defs/link')).toEqual([])
    expect(set.validate(1, 'other.schema.json#/$defs/link')).toHaveLength(1)
    expect(() => set.validate(1, 'missing.schema.json')).toThrow(/no schema missing.schema.json/)
  })

  test.each([
    ['an unknown keyword', { type: 'string', minLenght: 1 }, /unknown keyword/],
    ['an unknown format', { type: 'string', format: 'date-time' }, /unknown format/],
    ['a keyword its type cannot have', { type: 'string', minimum: 1 }, /minimum/],
    ['an object keyword without type object', { properties: { a: { type: 'string' } } }, /missing type "object"/],
  ])('strict mode refuses a schema with %s instead of ignoring it', (_name, schema, error) => {
    expect(() => schemaSet({ 'bad.schema.json': schema }).compile('bad.schema.json')).toThrow(error)
  })
})

describe('harness/schemas', () => {
  const files = readdirSync(SchemasDir).filter((f) => f.endsWith('.json'))

  test('every file is a registered schema', () => {
    expect(harnessSchemas().names).toEqual([...files].sort())
  })

  test.each(files)('%s and each of its $defs compile in strict mode with every $ref resolved', (file) => {
    const defs = Object.keys((JSON.parse(readFileSync(join(SchemasDir, file), 'utf8')) as { $defs?: object }).$defs ?? {})
    for (const ref of [file, ...defs.map((name) => `${file}#/$defs/${name}`)]) {
      expect(() => harnessSchemas().compile(ref), ref).not.toThrow()
    }
  })

  test('a stream definition is reachable by pointer', () => {
    expect(validateJson({ type: 'nonsense' }, 'report.v1.schema.json#/$defs/streamRecord').length).toBeGreaterThan(0)
  })
})
