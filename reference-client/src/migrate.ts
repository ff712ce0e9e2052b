/**
 * Migration of a legacy desktop `personas.json` into signed kind 30175 events.
 *
 * The file is a JSON array of records
 *   { id, display_name, system_prompt, avatar_url?, runtime?, model?, provider?,
 *     name_pool?, env_vars?: { KEY: VALUE }, is_builtin? }
 * where `id` is the slug. Builtins are skipped; env vars go to the store's local
 * persona_env table, never into the event. Events are signed with the owner's real key.
 * Idempotent without a sentinel: a record whose address already has a row (a head or a
 * deletion) in the store is "already migrated" and left alone.
 */

import { getPublicKey } from 'nostr-tools/pure'
import { checkSlug } from '../../spec/model/slug.ts'
import { checkEnvObject } from './env.ts'
import { buildPersonaEvent } from './publish.ts'
import type { RetentionStore } from './store.ts'

export type LegacyRecordCheck =
  | { index: number; status: 'valid'; slug: string; body: Record<string, unknown>; env: Record<string, string> }
  | { index: number; status: 'builtin'; slug: string }
  | { index: number; status: 'invalid'; id: unknown; message: string }

export type LegacyParse = { ok: true; records: LegacyRecordCheck[] } | { ok: false; message: string }

const bodyFields = ['display_name', 'system_prompt', 'avatar_url', 'runtime', 'model', 'provider', 'name_pool'] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkLegacyRecord(value: unknown, index: number, seen: Set<string>): LegacyRecordCheck {
  if (!isRecord(value)) return { index, status: 'invalid', id: undefined, message: 'invalid: record is not a JSON object' }
  const id = value.id
  if (typeof id !== 'string') return { index, status: 'invalid', id, message: 'invalid: record `id` (the slug) must be a string' }
  const slug = checkSlug(id)
  if (!slug.ok) return { index, status: 'invalid', id, message: slug.message }
  if (seen.has(id)) return { index, status: 'invalid', id, message: `duplicate: id ${id} appears earlier in the file` }
  seen.add(id)
  if (value.is_builtin === true) return { index, status: 'builtin', slug: id }
  const env = checkEnvObject(value.env_vars)
  if (!env.ok) return { index, status: 'invalid', id, message: env.message }
  const body: Record<string, unknown> = {}
  for (const field of bodyFields) {
    if (value[field] !== undefined) body[field] = value[field]
  }
  return { index, status: 'valid', slug: id, body, env: env.env }
}

export function parseLegacyPersonas(text: string): LegacyParse {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, message: 'invalid: legacy personas file is not valid JSON' }
  }
  if (!Array.isArray(value)) return { ok: false, message: 'invalid: legacy personas file must be a JSON array of persona records' }
  const seen = new Set<string>()
  return { ok: true, records: value.map((record, index) => checkLegacyRecord(record, index, seen)) }
}

export interface MigrationReport {
  imported: Array<{ slug: string; id: string; env_vars: number }>
  skipped_builtin: string[]
  already_present: string[]
  errors: Array<{ index: number; id: unknown; message: string }>
}

export type MigrationResult = { ok: true; report: MigrationReport } | { ok: false; message: string; report: MigrationReport }

export interface MigrationInput {
  secretKey: Uint8Array
  text: string
  /** Unix seconds. */
  now: number
}

/** Imports every valid record in one transaction and queues the new events for sync. */
export function importLegacyPersonas(store: RetentionStore, input: MigrationInput): MigrationResult {
  const report: MigrationReport = { imported: [], skipped_builtin: [], already_present: [], errors: [] }
  const parsed = parseLegacyPersonas(input.text)
  if (!parsed.ok) return { ok: false, message: parsed.message, report }
  const pubkey = getPublicKey(input.secretKey)

  const valid: Array<Extract<LegacyRecordCheck, { status: 'valid' }>> = []
  for (const record of parsed.records) {
    if (record.status === 'builtin') report.skipped_builtin.push(record.slug)
    else if (record.status === 'invalid') report.errors.push({ index: record.index, id: record.id, message: record.message })
    else valid.push(record)
  }

  // Build (and so validate the bodies) before writing anything.
  const built: Array<{ slug: string; event: ReturnType<typeof buildPersonaEvent>; env: Record<string, string>; index: number }> = []
  for (const record of valid) {
    if (store.hasAddress(pubkey, record.slug)) {
      report.already_present.push(record.slug)
      continue
    }
    const event = buildPersonaEvent({ secretKey: input.secretKey, slug: record.slug, body: record.body, now: input.now })
    if (!event.ok) report.errors.push({ index: record.index, id: record.slug, message: event.message })
    else built.push({ slug: record.slug, event, env: record.env, index: record.index })
  }

  const nothingValid = built.length === 0 && report.already_present.length === 0 && report.errors.length > 0
  if (nothingValid) {
    return { ok: false, message: `invalid: no valid persona record in the file (${report.errors.length} refused)`, report }
  }

  store.transaction(() => {
    for (const item of built) {
      if (!item.event.ok) continue
      const put = store.putPersona(item.event.event)
      if (put.status !== 'stored') {
        report.errors.push({ index: item.index, id: item.slug, message: put.message })
        continue
      }
      if (Object.keys(item.env).length > 0) store.setPersonaEnv(pubkey, item.slug, item.env)
      store.enqueueSync(item.event.event, input.now)
      report.imported.push({ slug: item.slug, id: item.event.event.id, env_vars: Object.keys(item.env).length })
    }
  })
  report.errors.sort((a, b) => a.index - b.index)
  return { ok: true, report }
}
