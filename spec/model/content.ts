/** The persona content body (AP-BODY-*): parsing for readers, checks for writers. */

import { utf8ByteLength } from './bytes.ts'

export interface PersonaContent {
  display_name: string
  system_prompt: string
  avatar_url: string | null
  runtime: string | null
  model: string | null
  provider: string | null
  name_pool: string[]
}

/** Known fields in their canonical order; the content hash and the writer both use it. */
export const PersonaFields = [
  'display_name',
  'system_prompt',
  'avatar_url',
  'runtime',
  'model',
  'provider',
  'name_pool',
] as const

export const OptionalStringFields = ['avatar_url', 'runtime', 'model', 'provider'] as const

/** Fields a writer must never put in the public body: secrets travel out of band. */
export const ForbiddenFields = ['env_vars'] as const

export const MaxContentBytes = 65_535

export type ContentParse =
  | { ok: true; content: PersonaContent; unknownFields: string[] }
  | { ok: false; message: string }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Reader-side parsing. Unknown fields (including a stray `env_vars`) are ignored and
 * reported, never used. Absent optional fields take their defaults.
 */
export function parsePersonaContent(text: string): ContentParse {
  if (utf8ByteLength(text) > MaxContentBytes) {
    return { ok: false, message: `invalid: persona content exceeds ${MaxContentBytes} bytes` }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, message: 'invalid: persona content is not valid JSON' }
  }
  if (!isRecord(value)) return { ok: false, message: 'invalid: persona content must be a JSON object' }
  return normalizePersonaContent(value)
}

/** Validates an already-parsed body object and applies defaults. */
export function normalizePersonaContent(value: Record<string, unknown>): ContentParse {
  const { display_name, system_prompt, name_pool } = value
  if (typeof display_name !== 'string') {
    return { ok: false, message: 'invalid: persona content field `display_name` must be a string' }
  }
  if (typeof system_prompt !== 'string') {
    return { ok: false, message: 'invalid: persona content field `system_prompt` must be a string' }
  }
  const optional: Record<(typeof OptionalStringFields)[number], string | null> = {
    avatar_url: null,
    runtime: null,
    model: null,
    provider: null,
  }
  for (const field of OptionalStringFields) {
    const raw = value[field]
    if (raw === undefined || raw === null) continue
    if (typeof raw !== 'string') {
      return { ok: false, message: `invalid: persona content field \`${field}\` must be a string or null` }
    }
    optional[field] = raw
  }
  let pool: string[] = []
  if (name_pool !== undefined) {
    if (!Array.isArray(name_pool) || !name_pool.every((name) => typeof name === 'string')) {
      return { ok: false, message: 'invalid: persona content field `name_pool` must be an array of strings' }
    }
    pool = [...name_pool]
  }
  const known = new Set<string>(PersonaFields)
  const unknownFields = Object.keys(value).filter((key) => !known.has(key))
  return {
    ok: true,
    content: { display_name, system_prompt, ...optional, name_pool: pool },
    unknownFields,
  }
}

/**
 * Writer serialization: known fields in canonical order, null optionals and an empty
 * name pool left out. Readers must accept any JSON object, so this order is a habit,
 * not a rule; the content hash does not depend on it.
 */
export function serializePersonaContent(content: PersonaContent): string {
  const body: Record<string, unknown> = {
    display_name: content.display_name,
    system_prompt: content.system_prompt,
  }
  for (const field of OptionalStringFields) {
    if (content[field] !== null) body[field] = content[field]
  }
  if (content.name_pool.length > 0) body.name_pool = content.name_pool
  return JSON.stringify(body)
}

export type WritableCheck = { ok: true; serialized: string } | { ok: false; message: string }

/**
 * Writer-side checks on a body a caller wants to publish (AP-BODY-*): the required fields,
 * no forbidden secret-bearing fields, and the serialized size limit.
 */
export function checkWritableContent(body: Record<string, unknown>): WritableCheck {
  for (const field of ForbiddenFields) {
    if (field in body) {
      return { ok: false, message: `invalid: persona content must not contain \`${field}\`; secrets stay local` }
    }
  }
  const parsed = normalizePersonaContent(body)
  if (!parsed.ok) return parsed
  const serialized = serializePersonaContent(parsed.content)
  const bytes = utf8ByteLength(serialized)
  if (bytes > MaxContentBytes) {
    return { ok: false, message: `invalid: persona content is ${bytes} bytes, max ${MaxContentBytes}` }
  }
  return { ok: true, serialized }
}
