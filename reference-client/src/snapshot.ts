/** Pinning a persona onto an agent record: what the agent will run, frozen at create. */

import type { NostrEvent } from '../../spec/model/event.ts'
import type { PersonaSnapshot } from './agents.ts'
import { viewPersona } from './persona.ts'

export type SnapshotResult = { ok: true; snapshot: PersonaSnapshot } | { ok: false; message: string }

/**
 * The first pool name no other agent of this persona uses; when all are taken, the first
 * name with a numeric suffix; with an empty pool, the display name.
 */
export function pickInstanceName(pool: readonly string[], displayName: string, taken: ReadonlySet<string>): string {
  const names = pool.filter((name) => name.trim() !== '')
  const free = names.find((name) => !taken.has(name))
  if (free !== undefined) return free
  const base = names[0] ?? displayName
  if (!taken.has(base)) return base
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`
    if (!taken.has(candidate)) return candidate
  }
}

export interface SnapshotInput {
  event: NostrEvent
  /** The persona's local env vars (persona_env). */
  localEnv: Record<string, string>
  /** --env pins of the agent; they win over localEnv. */
  pinnedEnv: Record<string, string>
  /** Instance names other agents of the same persona already use. */
  takenNames: ReadonlySet<string>
  now: Date
}

export function takeSnapshot(input: SnapshotInput): SnapshotResult {
  const view = viewPersona(input.event)
  if (!view.ok) return { ok: false, message: `error: persona ${view.slug} has an unreadable body (${view.message}); no snapshot taken` }
  const { content } = view
  return {
    ok: true,
    snapshot: {
      pubkey: view.pubkey,
      slug: view.slug,
      event_id: view.id,
      display_name: content.display_name,
      system_prompt: content.system_prompt,
      avatar_url: content.avatar_url,
      model: content.model,
      provider: content.provider,
      runtime: content.runtime,
      name_pool: content.name_pool,
      instance_name: pickInstanceName(content.name_pool, content.display_name, input.takenNames),
      env_vars: { ...input.localEnv, ...input.pinnedEnv },
      persona_source_version: view.version,
      taken_at: input.now.toISOString(),
    },
  }
}

/**
 * The child's environment: the caller's base env with any inherited PERSONA_* removed,
 * then the pinned env vars, then the snapshot's PERSONA_* variables (which always win).
 * Null fields are left unset rather than set to an empty string.
 */
export function snapshotEnvironment(snapshot: PersonaSnapshot, agentName: string, base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !name.startsWith('PERSONA_')) env[name] = value
  }
  Object.assign(env, snapshot.env_vars)
  const persona: Record<string, string | null> = {
    PERSONA_AGENT: agentName,
    PERSONA_SLUG: snapshot.slug,
    PERSONA_PUBKEY: snapshot.pubkey,
    PERSONA_NAME: snapshot.instance_name,
    PERSONA_DISPLAY_NAME: snapshot.display_name,
    PERSONA_SYSTEM_PROMPT: snapshot.system_prompt,
    PERSONA_MODEL: snapshot.model,
    PERSONA_PROVIDER: snapshot.provider,
    PERSONA_RUNTIME: snapshot.runtime,
    PERSONA_SOURCE_VERSION: snapshot.persona_source_version,
  }
  for (const [name, value] of Object.entries(persona)) {
    if (value !== null) env[name] = value
  }
  return env
}
