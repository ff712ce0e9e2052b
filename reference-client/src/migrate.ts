/**
 * Migration of a legacy desktop `personas.json` into signed kind 30175 events.
 *
 * The file is a JSON array of records
 *   { id, display_name, system_prompt, avatar_url?, runtime?, model?, provider?,
 *     name_pool?, env_vars?: { KEY: VALUE }, is_builtin? }
 * where `id` is the slug. Builtins are skipped; env vars go to the store's local
 * persona_env table, never into the event. Events are signed with the owner's real key.
 * Idempotent without a sentinel (AP-STORE-12, AMB-32): when the store already holds a
 * persona of the owner, or a deletion of one, the data is the sentinel and nothing is
 * imported, so a persona edited or deleted since is never overwritten or brought back.
 */

import { getPublicKey } from 'nostr-tools/pure'
import { checkWritableContent } from '../../spec/model/content.ts'
import { checkSlug } from '../../spec/model/slug.ts'
import { checkEnvObject } from './env.ts'
import { buildPersonaEvent } from './publish.ts'
import type { RetentionStore } from './store/index.ts'

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
  /** True when the store already held the owner's personas: nothing was imported. */
  already_migrated: boolean
  errors: Array<{ index: number; id: unknown; message: string }>
}

export type MigrationResult = { ok: true; report: MigrationReport } | { ok: false; message: string; report: MigrationReport }

export interface MigrationInput {
  secretKey: Uint8Array
  text: string
  /** Unix seconds. */
  now: number
}

/**
 * Checks every record (slug, env vars, body), then imports the valid ones in one
 * transaction and queues them for sync; nothing is signed or written when no record is
 * valid or when the store already holds the owner's personas.
 */
export function importLegacyPersonas(store: RetentionStore, input: MigrationInput): MigrationResult {
  const report: MigrationReport = { imported: [], skipped_builtin: [], already_migrated: false, errors: [] }
  const parsed = parseLegacyPersonas(input.text)
  if (!parsed.ok) return { ok: false, message: parsed.message, report }

  const valid: Array<Extract<LegacyRecordCheck, { status: 'valid' }>> = []
  for (const record of parsed.records) {
    if (record.status === 'builtin') report.skipped_builtin.push(record.slug)
    else if (record.status === 'invalid') report.errors.push({ index: record.index, id: record.id, message: record.message })
    else {
      const body = checkWritableContent(record.body)
      if (body.ok) valid.push(record)
      else report.errors.push({ index: record.index, id: record.slug, message: body.message })
    }
  }
  report.errors.sort((a, b) => a.index - b.index)
  if (valid.length === 0 && report.errors.length > 0) {
    return { ok: false, message: `invalid: no valid persona record in the file (${report.errors.length} refused)`, report }
  }
  const pubkey = getPublicKey(input.secretKey)
  if (store.personas.hasOwnerHistory(pubkey)) return { ok: true, report: { ...report, errors: [], already_migrated: true } }

  store.transaction(() => {
    for (const record of valid) {
      const built = buildPersonaEvent({ secretKey: input.secretKey, slug: record.slug, body: record.body, now: input.now })
      if (!built.ok) {
        report.errors.push({ index: record.index, id: record.slug, message: built.message })
        continue
      }
      const put = store.personas.put(built.event)
      if (put.status !== 'stored') {
        report.errors.push({ index: record.index, id: record.slug, message: put.message })
        continue
      }
      if (Object.keys(record.env).length > 0) store.env.set(pubkey, record.slug, record.env)
      store.queue.enqueue(built.event, input.now)
      report.imported.push({ slug: record.slug, id: built.event.id, env_vars: Object.keys(record.env).length })
    }
  })
  report.errors.sort((a, b) => a.index - b.index)
  return { ok: true, report }
}
