/**
 * The harness's published JSON formats (harness/schemas/: reports, stream records, matrix,
 * `--json` outputs) as one Ajv schema set (spec/json-schema.ts), for the tests that check
 * real output against them. Name a schema by file, or a definition by `file#/$defs/name`.
 */

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadSchemaSet, type SchemaSet } from '../../spec/json-schema.ts'

export const SchemasDir = fileURLToPath(new URL('../schemas/', import.meta.url))

let schemas: SchemaSet | undefined

export function harnessSchemas(): SchemaSet {
  schemas ??= loadSchemaSet(
    readdirSync(SchemasDir)
      .filter((file) => file.endsWith('.schema.json'))
      .sort()
      .map((file) => join(SchemasDir, file)),
  )
  return schemas
}

/** One message per violation, each with its JSON path; empty when valid. */
export function validateJson(value: unknown, ref: string): string[] {
  return harnessSchemas().validate(value, ref)
}
