/**
 * Agent records: PERSONA_HOME/agents.json (0600). A record names the persona it came
 * from and pins a snapshot of it; spawning reads the record, never the live persona.
 * Older files (records without a snapshot, the persona given as a bare slug) still load:
 * backfill gives them a snapshot once.
 */

import { readTextFile, writePrivateFile } from './home.ts'

export const AgentNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

export interface PersonaSnapshot {
  pubkey: string
  slug: string
  /** Id of the persona event the snapshot was taken from. */
  event_id: string
  display_name: string
  system_prompt: string
  avatar_url: string | null
  model: string | null
  provider: string | null
  runtime: string | null
  /** The persona's name_pool as pinned; null in records pinned before it was kept. */
  name_pool: string[] | null
  /** The instance name picked from the persona's name_pool (display_name when the pool is empty). */
  instance_name: string
  /** Local env vars (persona_env plus --env pins). Secrets: never printed, never published. */
  env_vars: Record<string, string>
  /** spec/model's content hash of the body at snapshot time. */
  persona_source_version: string
  taken_at: string
}

export interface AgentRecord {
  name: string
  persona: { slug: string; pubkey: string | null }
  /** Shell command run with /bin/sh -c; null runs the documented default command. */
  command: string | null
  /** Env vars pinned with --env at create; they override the persona's local env vars. */
  env: Record<string, string>
  snapshot: PersonaSnapshot | null
  created_at: string
  /** Why the last backfill could not take a snapshot (persona missing); null otherwise. */
  backfill_error: string | null
}

export const AgentsFileVersion = 1

export type AgentsLoad = { ok: true; agents: AgentRecord[] } | { ok: false; message: string }

export function checkAgentName(name: string): { ok: true } | { ok: false; message: string } {
  if (AgentNamePattern.test(name)) return { ok: true }
  return { ok: false, message: `invalid: agent name ${JSON.stringify(name)} must match ${AgentNamePattern.source}` }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {}
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function normalizeSnapshot(value: unknown): PersonaSnapshot | null {
  if (!isRecord(value)) return null
  const { pubkey, slug, event_id, display_name, system_prompt, instance_name, persona_source_version, taken_at } = value
  if (
    typeof pubkey !== 'string' ||
    typeof slug !== 'string' ||
    typeof display_name !== 'string' ||
    typeof system_prompt !== 'string' ||
    typeof persona_source_version !== 'string' ||
    !/^[0-9a-f]{64}$/.test(persona_source_version)
  ) {
    return null
  }
  return {
    pubkey,
    slug,
    event_id: typeof event_id === 'string' ? event_id : '',
    display_name,
    system_prompt,
    avatar_url: optionalString(value.avatar_url),
    model: optionalString(value.model),
    provider: optionalString(value.provider),
    runtime: optionalString(value.runtime),
    name_pool: Array.isArray(value.name_pool) && value.name_pool.every((name) => typeof name === 'string') ? (value.name_pool as string[]) : null,
    instance_name: typeof instance_name === 'string' && instance_name !== '' ? instance_name : display_name,
    env_vars: stringMap(value.env_vars),
    persona_source_version,
    taken_at: typeof taken_at === 'string' ? taken_at : '',
  }
}

function normalizeRecord(value: unknown, index: number): { ok: true; record: AgentRecord } | { ok: false; message: string } {
  if (!isRecord(value)) return { ok: false, message: `invalid: agent record ${index} is not an object` }
  const name = value.name
  if (typeof name !== 'string' || !AgentNamePattern.test(name)) return { ok: false, message: `invalid: agent record ${index} has no valid name` }
  let persona: AgentRecord['persona']
  if (typeof value.persona === 'string') persona = { slug: value.persona, pubkey: null }
  else if (isRecord(value.persona) && typeof value.persona.slug === 'string') {
    persona = { slug: value.persona.slug, pubkey: optionalString(value.persona.pubkey) }
  } else if (typeof value.persona_slug === 'string') persona = { slug: value.persona_slug, pubkey: null }
  else return { ok: false, message: `invalid: agent record ${name} names no persona` }
  return {
    ok: true,
    record: {
      name,
      persona,
      command: optionalString(value.command),
      env: stringMap(value.env),
      snapshot: normalizeSnapshot(value.snapshot),
      created_at: typeof value.created_at === 'string' ? value.created_at : '',
      backfill_error: optionalString(value.backfill_error),
    },
  }
}

export function loadAgents(path: string): AgentsLoad {
  const text = readTextFile(path)
  if (text === undefined) return { ok: true, agents: [] }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, message: `error: ${path} is not valid JSON` }
  }
  // Version 1 is { version, agents: [...] }; a bare array is the older, unversioned shape.
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.agents) ? value.agents : undefined
  if (list === undefined) return { ok: false, message: `error: ${path} holds no agent list` }
  const agents: AgentRecord[] = []
  for (const [index, item] of list.entries()) {
    const normalized = normalizeRecord(item, index)
    if (!normalized.ok) return { ok: false, message: `error: ${path}: ${normalized.message}` }
    agents.push(normalized.record)
  }
  return { ok: true, agents }
}

export function saveAgents(path: string, agents: readonly AgentRecord[]): void {
  writePrivateFile(path, `${JSON.stringify({ version: AgentsFileVersion, agents }, null, 2)}\n`)
}

export function findAgent(agents: readonly AgentRecord[], name: string): AgentRecord | undefined {
  return agents.find((agent) => agent.name === name)
}
