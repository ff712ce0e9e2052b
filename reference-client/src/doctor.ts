/**
 * `persona doctor`: checks PERSONA_HOME against the spec's rules and reports findings,
 * changing nothing. Useful after a migration from a legacy personas.json, after copying a
 * home between machines, or when something reads as corrupt.
 *
 * - the home and the files in it are private to the user (AP-SEC-5);
 * - every stored event (heads, deletions, queued events) verifies where it is filed (AP-STORE-3);
 * - no public body carries an `env_vars` member (AP-BODY-2), and no local secret (env var
 *   values kept in the store or pinned on agents, the owner's secret key) appears in any
 *   stored event (AP-SEC-2);
 * - every agent's pinned persona_source_version can be recomputed from what it pinned and
 *   matches (AP-AGENT-1, section 6), and its pin can be handed to a process.
 */

import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@noble/hashes/utils.js'
import { nsecEncode } from 'nostr-tools/nip19'
import { ForbiddenFields, type PersonaContent } from '../../spec/model/content.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { hashPersonaContent } from '../../spec/model/hash.ts'
import { dTagOf } from '../../spec/model/head.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import type { AgentRecord, PersonaSnapshot } from './agents.ts'
import { checkPrivateDir, type PersonaHome } from './home.ts'
import { viewPersona } from './persona.ts'
import { checkAgentSpawnable } from './spawn.ts'
import type { RetentionStore } from './store/index.ts'

export type Severity = 'error' | 'warning'

export interface Finding {
  severity: Severity
  /** What was checked: `home`, `event`, `secret`, `agent`. */
  check: 'home' | 'event' | 'secret' | 'agent'
  /** The file, row, address or agent the finding is about. */
  subject: string
  message: string
  /** The catalog requirement the finding rests on, when one does. */
  requirement?: string
}

export interface DoctorInput {
  home: PersonaHome
  /** Null when there is no store file yet. */
  store: RetentionStore | null
  agents: readonly AgentRecord[]
  /** The owner's secret key, when there is one: it must never appear in an event. */
  secretKey: Uint8Array | null
  /** This user's uid (null where the platform has none). */
  uid: number | null
}

export interface DoctorReport {
  findings: Finding[]
  checked: { events: number; deletions: number; queued: number; agents: number; secrets: number }
}

/** Local values shorter than this are not looked for in events: they would match by chance. */
export const MinSecretLength = 8

function checkFiles(home: PersonaHome, uid: number | null, findings: Finding[]): void {
  const dir = checkPrivateDir('PERSONA_HOME', home.dir, statSync(home.dir), uid)
  if (!dir.ok) findings.push({ severity: 'warning', check: 'home', subject: home.dir, message: dir.message, requirement: 'AP-SEC-5' })
  const files = [home.keyFile, home.storeFile, `${home.storeFile}-wal`, `${home.storeFile}-shm`, home.agentsFile]
  for (const sub of [home.runDir, home.logDir]) {
    if (!existsSync(sub)) continue
    const subCheck = checkPrivateDir('directory', sub, statSync(sub), uid)
    if (!subCheck.ok) findings.push({ severity: 'warning', check: 'home', subject: sub, message: subCheck.message, requirement: 'AP-SEC-5' })
    for (const name of readdirSync(sub)) files.push(join(sub, name))
  }
  for (const file of files) {
    if (!existsSync(file)) continue
    const stats = statSync(file)
    if ((stats.mode & 0o077) !== 0) {
      const mode = `0${(stats.mode & 0o777).toString(8)}`
      findings.push({ severity: 'warning', check: 'home', subject: file, message: `mode ${mode}: readable or writable by other users; expected 0600`, requirement: 'AP-SEC-5' })
    }
  }
}

interface PublicEvent {
  where: string
  event: NostrEvent
}

function publicEvents(store: RetentionStore, findings: Finding[], checked: DoctorReport['checked']): PublicEvent[] {
  const events: PublicEvent[] = []
  for (const row of store.personas.audit()) {
    if (row.where === 'events') checked.events += 1
    else checked.deletions += 1
    if (!row.check.ok) {
      findings.push({ severity: 'error', check: 'event', subject: `${row.where} ${row.key}`, message: `stored event fails verification: ${row.check.message}`, requirement: 'AP-STORE-3' })
      continue
    }
    events.push({ where: `${row.where} ${row.key}`, event: row.check.event })
    if (row.where === 'events') {
      const view = viewPersona(row.check.event)
      if (!view.ok) {
        findings.push({
          severity: 'warning',
          check: 'event',
          subject: `events ${row.key}`,
          message: `the head's body is invalid (${view.message}): the persona reads as invalid until a newer valid version arrives`,
          requirement: 'AP-READ-5',
        })
      }
    }
  }
  const queue = store.queue.list({ includeFailed: true })
  checked.queued = queue.entries.length + queue.corrupt.length
  for (const entry of queue.corrupt) {
    findings.push({ severity: 'error', check: 'event', subject: `pending_sync ${entry.key}`, message: `queued event fails verification: ${entry.message}`, requirement: 'AP-STORE-3' })
  }
  for (const entry of queue.entries) events.push({ where: `pending_sync ${entry.seq}`, event: entry.event })
  return events
}

interface Secret {
  what: string
  value: string
}

function localSecrets(input: DoctorInput): Secret[] {
  const secrets: Secret[] = []
  for (const row of input.store?.env.all() ?? []) secrets.push({ what: `local env var ${row.name} of persona ${row.slug}`, value: row.value })
  for (const agent of input.agents) {
    for (const [name, value] of Object.entries(agent.env)) secrets.push({ what: `env var ${name} pinned on agent ${agent.name}`, value })
    for (const [name, value] of Object.entries(agent.snapshot?.env_vars ?? {})) secrets.push({ what: `env var ${name} in agent ${agent.name}'s snapshot`, value })
  }
  if (input.secretKey !== null) {
    secrets.push({ what: 'the owner secret key (hex)', value: bytesToHex(input.secretKey) })
    secrets.push({ what: 'the owner secret key (nsec)', value: nsecEncode(input.secretKey) })
  }
  const byValue = new Map<string, Secret>()
  for (const secret of secrets) if (secret.value.length >= MinSecretLength && !byValue.has(secret.value)) byValue.set(secret.value, secret)
  return [...byValue.values()]
}

function checkSecrets(events: readonly PublicEvent[], secrets: readonly Secret[], findings: Finding[]): void {
  for (const { where, event } of events) {
    if (event.kind === PersonaKind) {
      let body: unknown
      try {
        body = JSON.parse(event.content)
      } catch {
        body = null
      }
      for (const field of ForbiddenFields) {
        if (typeof body === 'object' && body !== null && field in body) {
          findings.push({ severity: 'error', check: 'secret', subject: where, message: `the public body of ${dTagOf(event)} (${event.id}) has an \`${field}\` member`, requirement: 'AP-BODY-2' })
        }
      }
    }
    const text = `${event.content}\n${JSON.stringify(event.tags)}`
    for (const secret of secrets) {
      if (text.includes(secret.value)) {
        findings.push({ severity: 'error', check: 'secret', subject: where, message: `${secret.what} appears in public event ${event.id}`, requirement: 'AP-SEC-2' })
      }
    }
  }
}

function pinnedContent(snapshot: PersonaSnapshot): PersonaContent | null {
  if (snapshot.name_pool === null) return null
  const { display_name, system_prompt, avatar_url, runtime, model, provider, name_pool } = snapshot
  return { display_name, system_prompt, avatar_url, runtime, model, provider, name_pool }
}

function checkAgents(input: DoctorInput, findings: Finding[]): void {
  for (const agent of input.agents) {
    const subject = `agent ${agent.name}`
    const snapshot = agent.snapshot
    if (snapshot === null) {
      findings.push({ severity: 'warning', check: 'agent', subject, message: `no snapshot: ${agent.backfill_error ?? 'not backfilled yet'}; it will not start`, requirement: 'AP-AGENT-11' })
      continue
    }
    if (snapshot.slug !== agent.persona.slug || (agent.persona.pubkey !== null && snapshot.pubkey !== agent.persona.pubkey)) {
      findings.push({ severity: 'error', check: 'agent', subject, message: `the snapshot is of ${snapshot.pubkey}/${snapshot.slug}, the record names ${agent.persona.pubkey}/${agent.persona.slug}`, requirement: 'AP-AGENT-1' })
    }
    let content = pinnedContent(snapshot)
    let source = 'the pinned fields'
    if (content === null) {
      // Pinned before name_pool was kept: the event it came from, if the store still holds it, has every field.
      const read = input.store?.personas.read(snapshot.pubkey, snapshot.slug)
      const view = read?.status === 'present' && read.event.id === snapshot.event_id ? viewPersona(read.event) : null
      if (view?.ok) {
        content = view.content
        source = `event ${snapshot.event_id}`
      }
    }
    if (content === null) {
      findings.push({
        severity: 'warning',
        check: 'agent',
        subject,
        message: `persona_source_version cannot be recomputed: the record was pinned before name_pool was kept and event ${snapshot.event_id} is no longer the head here; \`persona agent respawn ${agent.name}\` re-pins it`,
        requirement: 'AP-AGENT-1',
      })
    } else {
      const recomputed = hashPersonaContent(content)
      if (recomputed !== snapshot.persona_source_version) {
        findings.push({
          severity: 'error',
          check: 'agent',
          subject,
          message: `pinned persona_source_version ${snapshot.persona_source_version} does not match the hash of ${source} (${recomputed})`,
          requirement: 'AP-AGENT-1',
        })
      }
    }
    const spawnable = checkAgentSpawnable(snapshot, agent.name, agent.command)
    if (!spawnable.ok) findings.push({ severity: 'error', check: 'agent', subject, message: spawnable.message })
  }
}

export function runDoctor(input: DoctorInput): DoctorReport {
  const findings: Finding[] = []
  const checked: DoctorReport['checked'] = { events: 0, deletions: 0, queued: 0, agents: input.agents.length, secrets: 0 }
  checkFiles(input.home, input.uid, findings)
  const events = input.store === null ? [] : publicEvents(input.store, findings, checked)
  const secrets = localSecrets(input)
  checked.secrets = secrets.length
  checkSecrets(events, secrets, findings)
  checkAgents(input, findings)
  return { findings, checked }
}
