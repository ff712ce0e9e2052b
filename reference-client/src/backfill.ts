/**
 * Backfill at the start of every agent command: a record without a snapshot (an older
 * file) gets one from the current persona, once. When the persona is missing, the record
 * keeps no snapshot, carries the reason, and must not be started: an agent is never
 * spawned from an empty pin.
 */

import type { AgentRecord } from './agents.ts'
import { takeSnapshot } from './snapshot.ts'
import { checkAgentSpawnable } from './spawn.ts'
import type { RetentionStore } from './store/index.ts'

export interface BackfillReport {
  filled: Array<{ agent: string; slug: string; version: string }>
  missing: Array<{ agent: string; slug: string; message: string }>
}

export function takenInstanceNames(agents: readonly AgentRecord[], slug: string, except?: string): Set<string> {
  const taken = new Set<string>()
  for (const agent of agents) {
    if (agent.name !== except && agent.snapshot?.slug === slug) taken.add(agent.snapshot.instance_name)
  }
  return taken
}

/** Returns the updated records (new objects where something changed) and what happened. */
export function backfillSnapshots(
  agents: readonly AgentRecord[],
  store: RetentionStore,
  options: { ownerPubkey: string | null; now: Date },
): { agents: AgentRecord[]; report: BackfillReport } {
  const report: BackfillReport = { filled: [], missing: [] }
  const result: AgentRecord[] = []
  for (const agent of agents) {
    if (agent.snapshot !== null) {
      result.push(agent)
      continue
    }
    const pubkey = agent.persona.pubkey ?? options.ownerPubkey
    const slug = agent.persona.slug
    const read = pubkey === null ? ({ status: 'missing' } as const) : store.personas.read(pubkey, slug)
    if (read.status !== 'present') {
      const why = read.status === 'deleted' ? 'was deleted' : read.status === 'corrupt' ? `is unreadable (${read.message})` : 'does not exist'
      const message = `error: persona ${slug} ${why}; agent ${agent.name} has no snapshot and will not start`
      report.missing.push({ agent: agent.name, slug, message })
      result.push({ ...agent, persona: { slug, pubkey }, backfill_error: message })
      continue
    }
    const snapshot = takeSnapshot({
      event: read.event,
      localEnv: store.env.read(read.event.pubkey, slug),
      pinnedEnv: agent.env,
      takenNames: takenInstanceNames(result.concat(agents.slice(result.length + 1)), slug, agent.name),
      now: options.now,
    })
    const refusal = !snapshot.ok ? snapshot : checkAgentSpawnable(snapshot.snapshot, agent.name, agent.command)
    if (!refusal.ok || !snapshot.ok) {
      const message = refusal.ok ? 'error: no snapshot taken' : refusal.message
      report.missing.push({ agent: agent.name, slug, message })
      result.push({ ...agent, persona: { slug, pubkey }, backfill_error: message })
      continue
    }
    report.filled.push({ agent: agent.name, slug, version: snapshot.snapshot.persona_source_version })
    result.push({ ...agent, persona: { slug, pubkey: read.event.pubkey }, snapshot: snapshot.snapshot, backfill_error: null })
  }
  return { agents: result, report }
}
