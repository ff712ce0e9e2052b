/**
 * A validator for the subset of JSON Schema 2020-12 that harness/schemas/ uses. It refuses
 * keywords it does not implement, so a schema cannot grow a rule nothing checks. `$ref`
 * may point into the same file (`#/$defs/x`) or a sibling file (`report.v1.schema.json#/$defs/x`).
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const SchemasDir = fileURLToPath(new URL('../schemas/', import.meta.url))

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type Schema = { [key: string]: Json }

const annotations = new Set(['$schema', '$id', '$comment', 'title', 'description', '$defs', 'examples'])
const assertions = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'minimum',
  'maximum',
  'minLength',
  'pattern',
  'oneOf',
  'anyOf',
])

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value)
  return actual === type || (type === 'number' && actual === 'integer')
}

export function loadSchema(file: string): Schema {
  return JSON.parse(readFileSync(join(SchemasDir, file), 'utf8')) as Schema
}

interface Context {
  root: Schema
  load: (file: string) => Schema
}

function resolveRef(ref: string, context: Context): { schema: Schema; root: Schema } {
  const [file, pointer = ''] = ref.split('#')
  const root = file ? context.load(file) : context.root
  let node: Json = root
  for (const part of pointer.split('/').filter((p) => p.length > 0)) {
    if (!isObject(node)) throw new Error(`unresolvable $ref ${ref}`)
    node = node[part] ?? null
  }
  if (!isObject(node)) throw new Error(`unresolvable $ref ${ref}`)
  return { schema: node, root }
}

/** One message per violation, each with its JSON path; empty when valid. */
export function validateJson(value: unknown, schema: Schema, options: { root?: Schema; load?: (file: string) => Schema } = {}): string[] {
  const cache = new Map<string, Schema>()
  const load =
    options.load ??
    ((file: string) => {
      const hit = cache.get(file)
      if (hit) return hit
      const loaded = loadSchema(file)
      cache.set(file, loaded)
      return loaded
    })
  return check(value, schema, { root: options.root ?? schema, load }, '$')
}

function check(value: unknown, schema: Schema, context: Context, path: string): string[] {
  for (const key of Object.keys(schema)) {
    if (!annotations.has(key) && !assertions.has(key)) throw new Error(`schema keyword ${key} at ${path} is not supported`)
  }
  const errors: string[] = []
  if (typeof schema.$ref === 'string') {
    const { schema: target, root } = resolveRef(schema.$ref, context)
    errors.push(...check(value, target, { ...context, root }, path))
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    if (!types.some((t) => typeof t === 'string' && typeMatches(value, t))) {
      return [...errors, `${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`]
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`)
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    errors.push(`${path}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`)
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`)
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`)
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`)
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`)
    if (isObject(schema.items)) {
      const items = schema.items
      value.forEach((item, index) => errors.push(...check(item, items, context, `${path}[${index}]`)))
    }
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {}
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) {
        if (typeof name === 'string' && !(name in value)) errors.push(`${path}: missing required property ${name}`)
      }
    }
    for (const [name, child] of Object.entries(value)) {
      const childSchema = properties[name]
      if (isObject(childSchema)) {
        errors.push(...check(child, childSchema, context, `${path}.${name}`))
      } else if (schema.additionalProperties === false) {
        errors.push(`${path}: unexpected property ${name}`)
      } else if (isObject(schema.additionalProperties)) {
        errors.push(...check(child, schema.additionalProperties, context, `${path}.${name}`))
      }
    }
  }
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const options = schema[keyword]
    if (!Array.isArray(options)) continue
    const passing = options.filter((option) => isObject(option) && check(value, option, context, path).length === 0).length
    if (keyword === 'oneOf' && passing !== 1) errors.push(`${path}: matches ${passing} of the oneOf alternatives, expected exactly 1`)
    if (keyword === 'anyOf' && passing === 0) errors.push(`${path}: matches none of the anyOf alternatives`)
  }
  return errors
}
