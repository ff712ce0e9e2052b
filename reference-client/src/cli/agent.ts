/**
 * persona agent create | start | stop | restart | respawn | rm | ls | status.
 * Every agent command first refreshes the personas its records name (when the relay
 * answers) and backfills records that have no snapshot yet.
 */

import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { type AgentRecord, checkAgentName, findAgent, loadAgents, saveAgents } from '../agents.ts'
import { backfillSnapshots, takenInstanceNames } from '../backfill.ts'
import { type Drift, driftOf, type LiveVersion, liveVersionOf } from '../drift.ts'
import { parseEnvAssignments } from '../env.ts'
import { type OwnerKey } from '../keys.ts'
import { processStateOf, readRunState, removeRunState, type RunState } from '../run-state.ts'
import { takeSnapshot } from '../snapshot.ts'
import { checkAgentSpawnable, startAgent, stopAgent } from '../spawn.ts'
import type { RetentionStore } from '../store/index.ts'
import { refreshPersonas } from '../sync.ts'
import { reasonPrefixOf } from '../../../spec/model/reasons.ts'
import { checkSlug } from '../../../spec/model/slug.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { oneLine, shortHex, table } from './format.ts'
import { fail } from './io.ts'

interface AgentsState {
  runDir: string
  store: RetentionStore
  key: OwnerKey | null
  agents: AgentRecord[]
  /** Where the live persona versions come from this run. */
  liveSource: 'relay' | 'store'
}

/** Loads the records, refreshes the personas they name, backfills missing snapshots. */
async function prepareAgents(ctx: CommandContext, extraSlugs: readonly string[] = []): Promise<AgentsState> {
  const store = ctx.store()
  const key = ctx.maybeOwnerKey()
  const loaded = loadAgents(ctx.home.agentsFile)
  if (!loaded.ok) fail(ExitCode.error, loaded.message)
  let agents = loaded.agents

  const authors = new Set<string>()
  for (const agent of agents) {
    const pubkey = agent.persona.pubkey ?? key?.pubkey
    if (pubkey) authors.add(pubkey)
  }
  if (extraSlugs.length > 0 && key) authors.add(key.pubkey)
  let liveSource: AgentsState['liveSource'] = 'store'
  if (authors.size > 0) {
    const session = await ctx.relay()
    if (session === null) ctx.note(`${ctx.relayProblem}; persona versions come from the local store`)
    else {
      liveSource = 'relay'
      for (const author of authors) {
        const refreshed = await refreshPersonas(store, session.client, author)
        if (!refreshed.ok) {
          liveSource = 'store'
          ctx.note(`relay read failed (${refreshed.message}); persona versions come from the local store`)
        } else ctx.noteRejected(refreshed.rejected)
      }
    }
  }

  if (agents.some((agent) => agent.snapshot === null)) {
    const backfilled = backfillSnapshots(agents, store, { ownerPubkey: key?.pubkey ?? null, now: ctx.nowDate() })
    for (const item of backfilled.report.filled) ctx.note(`backfilled agent ${item.agent} from persona ${item.slug} (version ${shortHex(item.version)})`)
    for (const item of backfilled.report.missing) {
      ctx.warn(`agent ${item.agent}: ${item.message}. Publish the persona (persona publish ${item.slug} ...) or remove the agent (persona agent rm ${item.agent}).`)
    }
    const changed = backfilled.agents.some((agent, i) => agent !== agents[i])
    agents = backfilled.agents
    if (changed) saveAgents(ctx.home.agentsFile, agents)
  }
  return { runDir: ctx.home.runDir, store, key, agents, liveSource }
}

function requireAgent(state: AgentsState, name: string): AgentRecord {
  const check = checkAgentName(name)
  if (!check.ok) fail(ExitCode.invalid, check.message)
  const agent = findAgent(state.agents, name)
  if (agent === undefined) fail(ExitCode.notFound, `error: no agent named ${name}`)
  return agent
}

function replaceAgent(ctx: CommandContext, state: AgentsState, updated: AgentRecord): void {
  state.agents = state.agents.map((agent) => (agent.name === updated.name ? updated : agent))
  saveAgents(ctx.home.agentsFile, state.agents)
}

function liveVersion(state: AgentsState, agent: AgentRecord): LiveVersion {
  const pubkey = agent.persona.pubkey ?? state.key?.pubkey
  if (!pubkey) return { status: 'gone', reason: 'missing', message: 'no owner key to find the persona' }
  return liveVersionOf(state.store.personas.read(pubkey, agent.persona.slug))
}

interface AgentSummary {
  name: string
  persona: { slug: string; pubkey: string | null }
  state: string
  pid: number | null
  started_at: string | null
  stopped_at: string | null
  exit_code: number | null
  signal: string | null
  command: string | null
  snapshot: Record<string, unknown> | null
  live: LiveVersion
  drift: Drift | null
  hint: string | null
  problem: string | null
}

function summarize(state: AgentsState, agent: AgentRecord): AgentSummary {
  const run = readRunState(state.runDir, agent.name)
  const live = liveVersion(state, agent)
  const snapshot = agent.snapshot
  const drift = snapshot ? driftOf(snapshot.persona_source_version, live) : null
  const hint =
    drift === 'out-of-date'
      ? `the persona changed since this agent pinned it; run \`persona agent respawn ${agent.name}\` to pick up the new version`
      : drift === 'orphaned'
        ? 'the persona is gone; the agent keeps running its pinned snapshot and cannot be respawned'
        : null
  return {
    name: agent.name,
    persona: agent.persona,
    state: processStateOf(run),
    pid: run?.pid ?? null,
    started_at: run?.started_at ?? null,
    stopped_at: run?.stopped_at ?? null,
    exit_code: run?.exit_code ?? null,
    signal: run?.signal ?? null,
    command: agent.command,
    snapshot: snapshot
      ? {
          slug: snapshot.slug,
          event_id: snapshot.event_id,
          persona_source_version: snapshot.persona_source_version,
          display_name: snapshot.display_name,
          instance_name: snapshot.instance_name,
          system_prompt: snapshot.system_prompt,
          model: snapshot.model,
          provider: snapshot.provider,
          runtime: snapshot.runtime,
          avatar_url: snapshot.avatar_url,
          env_var_names: Object.keys(snapshot.env_vars).sort(),
          taken_at: snapshot.taken_at,
        }
      : null,
    live,
    drift,
    hint,
    problem: snapshot ? null : (agent.backfill_error ?? 'no snapshot'),
  }
}

function runLine(run: RunState): string {
  return `pid ${run.pid}, started ${run.started_at}`
}

export interface CreateValues {
  persona?: string
  env?: string[]
  command?: string
}

export async function runAgentCreate(ctx: CommandContext, values: CreateValues, positionals: string[]): Promise<number> {
  const name = positionals[0] as string
  const nameCheck = checkAgentName(name)
  if (!nameCheck.ok) fail(ExitCode.invalid, nameCheck.message)
  const slug = values.persona
  if (slug === undefined) fail(ExitCode.usage, 'usage: --persona SLUG is required (persona agent create NAME --persona SLUG [--env KEY=VALUE]... [--command "..."])')
  const slugCheck = checkSlug(slug)
  if (!slugCheck.ok) fail(ExitCode.invalid, slugCheck.message)
  const env = parseEnvAssignments(values.env ?? [])
  if (!env.ok) fail(ExitCode.invalid, env.message)
  const key = ctx.ownerKey()
  const state = await prepareAgents(ctx, [slug])
  if (findAgent(state.agents, name)) fail(ExitCode.conflict, `error: an agent named ${name} already exists`)
  const read = state.store.personas.read(key.pubkey, slug)
  if (read.status !== 'present') {
    const why = read.status === 'deleted' ? 'was deleted' : read.status === 'corrupt' ? `is unreadable (${read.message})` : 'does not exist'
    fail(ExitCode.notFound, `error: persona ${slug} ${why}; no agent created`)
  }
  const snapshot = takeSnapshot({
    event: read.event,
    localEnv: state.store.env.read(key.pubkey, slug),
    pinnedEnv: env.env,
    takenNames: takenInstanceNames(state.agents, slug),
    now: ctx.nowDate(),
  })
  if (!snapshot.ok) fail(ExitCode.invalid, snapshot.message)
  const spawnable = checkAgentSpawnable(snapshot.snapshot, name, values.command ?? null)
  if (!spawnable.ok) fail(ExitCode.invalid, `${spawnable.message}; no agent created`)
  const record: AgentRecord = {
    name,
    persona: { slug, pubkey: key.pubkey },
    command: values.command ?? null,
    env: env.env,
    snapshot: snapshot.snapshot,
    created_at: ctx.nowDate().toISOString(),
    backfill_error: null,
  }
  state.agents = [...state.agents, record]
  saveAgents(ctx.home.agentsFile, state.agents)
  const summary = summarize(state, record)
  ctx.emit({ ok: true, agent: summary }, [
    `created agent ${name} from persona ${slug} (version ${shortHex(snapshot.snapshot.persona_source_version)}, instance name ${snapshot.snapshot.instance_name})`,
  ])
  return ExitCode.ok
}

/** An agent is never spawned from an empty pin. */
function refuseWithoutSnapshot(ctx: CommandContext, agent: AgentRecord): void {
  if (agent.snapshot !== null) return
  ctx.warn(`refusing to start agent ${agent.name}: it has no snapshot and is never spawned from an empty pin`)
  fail(ExitCode.notFound, agent.backfill_error ?? `error: agent ${agent.name} has no persona snapshot`)
}

async function start(ctx: CommandContext, agent: AgentRecord): Promise<RunState> {
  refuseWithoutSnapshot(ctx, agent)
  const started = await startAgent(ctx.home, agent, { baseEnv: ctx.io.env })
  if (!started.ok) {
    const code = reasonPrefixOf(started.message) === 'invalid' ? ExitCode.invalid : started.message.includes('already running') ? ExitCode.conflict : ExitCode.error
    fail(code, started.message)
  }
  return started.run
}

export async function runAgentStart(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const state = await prepareAgents(ctx)
  const agent = requireAgent(state, positionals[0] as string)
  const run = await start(ctx, agent)
  ctx.emit({ ok: true, agent: summarize(state, agent) }, [`started agent ${agent.name}: ${runLine(run)}`])
  return ExitCode.ok
}

export async function runAgentStop(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const state = await prepareAgents(ctx)
  const agent = requireAgent(state, positionals[0] as string)
  const stopped = await stopAgent(ctx.home, agent.name)
  if (!stopped.ok) fail(ExitCode.conflict, stopped.message)
  if (stopped.forced) ctx.warn(`agent ${agent.name} ignored SIGTERM and was killed`)
  ctx.emit({ ok: true, agent: summarize(state, agent) }, [
    `stopped agent ${agent.name} (exit code ${stopped.run.exit_code ?? '-'}${stopped.run.signal ? `, signal ${stopped.run.signal}` : ''})`,
  ])
  return ExitCode.ok
}

async function stopIfRunning(ctx: CommandContext, name: string): Promise<boolean> {
  if (processStateOf(readRunState(ctx.home.runDir, name)) !== 'running') return false
  const stopped = await stopAgent(ctx.home, name)
  if (!stopped.ok) fail(ExitCode.error, stopped.message)
  return true
}

/** Restart keeps the pin: stop, then start from the same record. */
export async function runAgentRestart(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const state = await prepareAgents(ctx)
  const agent = requireAgent(state, positionals[0] as string)
  refuseWithoutSnapshot(ctx, agent)
  const wasRunning = await stopIfRunning(ctx, agent.name)
  const run = await start(ctx, agent)
  ctx.emit({ ok: true, was_running: wasRunning, agent: summarize(state, agent) }, [
    `restarted agent ${agent.name} on its pinned version ${shortHex(agent.snapshot?.persona_source_version ?? '')}: ${runLine(run)}`,
  ])
  return ExitCode.ok
}

/**
 * Respawn deletes and recreates: a fresh snapshot of the current persona (same name,
 * command and --env pins), then start. When the persona is gone nothing is touched:
 * an orphan has nothing to respawn into.
 */
export async function runAgentRespawn(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const state = await prepareAgents(ctx)
  const agent = requireAgent(state, positionals[0] as string)
  const pubkey = agent.persona.pubkey ?? state.key?.pubkey
  const read = pubkey ? state.store.personas.read(pubkey, agent.persona.slug) : ({ status: 'missing' } as const)
  if (read.status !== 'present') {
    fail(ExitCode.notFound, `error: persona ${agent.persona.slug} is gone (${read.status}); agent ${agent.name} is orphaned and was left as it is`)
  }
  const snapshot = takeSnapshot({
    event: read.event,
    localEnv: state.store.env.read(read.event.pubkey, agent.persona.slug),
    pinnedEnv: agent.env,
    takenNames: takenInstanceNames(state.agents, agent.persona.slug, agent.name),
    now: ctx.nowDate(),
  })
  if (!snapshot.ok) fail(ExitCode.invalid, snapshot.message)
  const spawnable = checkAgentSpawnable(snapshot.snapshot, agent.name, agent.command)
  if (!spawnable.ok) fail(ExitCode.invalid, `${spawnable.message}; agent ${agent.name} was left as it is`)
  const previous = agent.snapshot?.persona_source_version ?? null
  const wasRunning = await stopIfRunning(ctx, agent.name)
  const recreated: AgentRecord = {
    ...agent,
    persona: { slug: agent.persona.slug, pubkey: read.event.pubkey },
    snapshot: snapshot.snapshot,
    created_at: ctx.nowDate().toISOString(),
    backfill_error: null,
  }
  replaceAgent(ctx, state, recreated)
  const run = await start(ctx, recreated)
  ctx.emit({ ok: true, was_running: wasRunning, previous_version: previous, agent: summarize(state, recreated) }, [
    `respawned agent ${agent.name}: version ${previous ? shortHex(previous) : '-'} -> ${shortHex(snapshot.snapshot.persona_source_version)}; ${runLine(run)}`,
  ])
  return ExitCode.ok
}

export async function runAgentRm(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const state = await prepareAgents(ctx)
  const agent = requireAgent(state, positionals[0] as string)
  const wasRunning = await stopIfRunning(ctx, agent.name)
  state.agents = state.agents.filter((a) => a.name !== agent.name)
  saveAgents(ctx.home.agentsFile, state.agents)
  removeRunState(ctx.home.runDir, agent.name)
  rmSync(join(ctx.home.logDir, `${agent.name}.log`), { force: true })
  ctx.emit({ ok: true, removed: agent.name, was_running: wasRunning }, [`removed agent ${agent.name}${wasRunning ? ' (stopped it first)' : ''}`])
  return ExitCode.ok
}

export async function runAgentLs(ctx: CommandContext): Promise<number> {
  const state = await prepareAgents(ctx)
  const summaries = state.agents.map((agent) => summarize(state, agent))
  const rows = [['NAME', 'PERSONA', 'STATE', 'PID', 'DRIFT']]
  for (const s of summaries) rows.push([s.name, s.persona.slug, s.state, s.pid === null ? '-' : String(s.pid), s.drift ?? 'no snapshot'])
  ctx.emit(
    { ok: true, live_source: state.liveSource, agents: summaries.map(({ name, persona, state: st, pid, drift }) => ({ name, persona, state: st, pid, drift })) },
    summaries.length === 0 ? [] : table(rows),
  )
  if (summaries.length === 0) ctx.note('no agents')
  return ExitCode.ok
}

function statusLines(s: AgentSummary): string[] {
  const lines = [`agent ${s.name}`, `  state     ${s.state}${s.pid !== null && s.state === 'running' ? ` (pid ${s.pid}, since ${s.started_at})` : ''}`]
  if (s.state === 'exited') lines.push(`  last run  ${s.started_at} -> ${s.stopped_at}, exit code ${s.exit_code ?? '-'}${s.signal ? `, signal ${s.signal}` : ''}`)
  lines.push(`  persona   ${s.persona.slug}`)
  lines.push(`  drift     ${s.drift ?? 'none: no snapshot'}${s.hint ? ` — ${s.hint}` : ''}`)
  if (s.problem) lines.push(`  problem   ${s.problem}`)
  const snap = s.snapshot
  if (snap) {
    lines.push(`  pinned    version ${snap.persona_source_version} (event ${shortHex(String(snap.event_id))}, taken ${snap.taken_at})`)
    if (s.live.status === 'present') lines.push(`  current   version ${s.live.version}`)
    else lines.push(`  current   none (${s.live.message})`)
    lines.push(`  name      ${snap.instance_name} (${snap.display_name})`)
    lines.push(`  model     ${snap.model ?? '-'}   provider ${snap.provider ?? '-'}   runtime ${snap.runtime ?? '-'}`)
    lines.push(`  prompt    ${oneLine(String(snap.system_prompt))}`)
    const names = snap.env_var_names as string[]
    lines.push(`  env       ${names.length > 0 ? `${names.join(', ')} (values hidden)` : '-'}`)
  }
  lines.push(`  command   ${s.command ?? '(default: prints its name and idles until stopped)'}`)
  return lines
}

export async function runAgentStatus(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const state = await prepareAgents(ctx)
  const chosen = positionals[0] === undefined ? state.agents : [requireAgent(state, positionals[0])]
  const summaries = chosen.map((agent) => summarize(state, agent))
  ctx.emit({ ok: true, live_source: state.liveSource, agents: summaries }, summaries.flatMap(statusLines))
  if (summaries.length === 0) ctx.note('no agents')
  return ExitCode.ok
}
