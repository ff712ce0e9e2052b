/**
 * Validation against the project's JSON Schemas (2020-12) with Ajv in strict mode: a
 * schema with an unknown keyword, an unknown format or an ignored rule fails to compile,
 * so a schema cannot grow a rule that nothing checks. Used by the tests of spec/ and
 * harness/ (the schemas describe what they publish); nothing at run time depends on it.
 *
 * Schemas are registered under their file name, so `$ref: "report.v1.schema.json#/$defs/x"`
 * reaches a sibling file and a caller names a schema as `file` or `file#/json/pointer`.
 */

import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'

export interface SchemaSet {
  /** The file names of the registered schemas. */
  readonly names: readonly string[]
  /** One message per violation, each starting with its JSON path (`$.a[0].b`); empty when valid. */
  validate(value: unknown, ref: string): string[]
  /** Compiles a schema (and what it references); throws what strict mode refuses. */
  compile(ref: string): void
}

/** `/requirements/0/id` → `$.requirements[0].id`. */
function pathOf(pointer: string): string {
  let path = '$'
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    path += /^\d+$/.test(part) ? `[${part}]` : `.${part}`
  }
  return path
}

function describe(error: ErrorObject): string {
  const at = pathOf(error.instancePath)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return `${at}: missing required property ${String(params.missingProperty)}`
    case 'additionalProperties':
      return `${at}: unexpected property ${String(params.additionalProperty)}`
    case 'enum':
      return `${at}: ${JSON.stringify(error.data)} is not one of ${JSON.stringify(params.allowedValues)}`
    case 'const':
      return `${at}: expected ${JSON.stringify(params.allowedValue)}, got ${JSON.stringify(error.data)}`
    case 'pattern':
      return `${at}: ${JSON.stringify(error.data)} does not match ${String(params.pattern)}`
    case 'not':
      return `${at}: matches a schema it must not match`
    case 'if':
      return `${at}: must match the "${String(params.failingKeyword)}" schema`
    default:
      return `${at}: ${error.message ?? error.keyword}`
  }
}

export function loadSchemaSet(files: readonly string[]): SchemaSet {
  // Strict mode: unknown keywords and formats, keywords that cannot apply to the declared
  // type, and non-finite numbers make a schema fail to compile. Two relaxations, both for
  // plain 2020-12 the schemas use: union types (`"type": ["string", "null"]`), and required
  // names that a conditional names without redefining them (strictRequired refuses
  // `"then": { "required": ["reason"] }` although the enclosing `properties` defines `reason`).
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true, verbose: true })
  const names: string[] = []
  for (const file of files) {
    const name = basename(file)
    if (names.includes(name)) throw new Error(`two schemas named ${name}`)
    ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object, name)
    names.push(name)
  }
  const validator = (ref: string) => {
    const validate = ajv.getSchema(ref)
    if (!validate) throw new Error(`no schema ${ref} (known: ${names.join(', ')})`)
    return validate
  }
  return {
    names,
    validate(value, ref) {
      const validate = validator(ref)
      return validate(value) ? [] : (validate.errors ?? []).map(describe)
    },
    compile(ref) {
      validator(ref)
    },
  }
}
