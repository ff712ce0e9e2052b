/** The command table: usage, help text, options and handler of every `persona` command. */

import type { ParseArgsConfig } from 'node:util'
import { runAgentCreate, runAgentLs, runAgentRespawn, runAgentRestart, runAgentRm, runAgentStart, runAgentStatus, runAgentStop } from './agent.ts'
import type { CommandContext } from './context.ts'
import { runDoctorCommand } from './doctor.ts'
import { runImportLegacy } from './import-legacy.ts'
import { runKeyGenerate, runKeyImport, runKeyShow } from './key.ts'
import { runPublish } from './publish.ts'
import { runGet, runLs } from './read.ts'
import { runRm } from './rm.ts'
import { runSync } from './sync.ts'

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>

export interface CommandSpec {
  /** 'publish', or 'agent create' for grouped commands. */
  name: string
  usage: string
  summary: string
  details: string
  options: OptionSpecs
  positionals: { min: number; max: number }
  // Handlers receive parseArgs' values: each narrows them to its own option shape.
  run(ctx: CommandContext, values: Record<string, unknown>, positionals: string[]): Promise<number>
}

export const GlobalOptionSpecs: OptionSpecs = {
  json: { type: 'boolean' },
  relay: { type: 'string' },
  transport: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
}

export const GlobalOptionsHelp = `Global options:
  --json             print one JSON document on stdout (progress stays on stderr)
  --relay URL        relay to sync with (ws://, wss://, http:// or https://); default $PERSONA_RELAY
  --transport ws|http  NIP-01 over WebSocket (default) or the HTTP bridge with NIP-98 auth; default $PERSONA_TRANSPORT
  --timeout MS       deadline for every relay wait (default 5000)
  -h, --help         this help
  --version          print the version
Environment: PERSONA_HOME (default ~/.persona) holds the key, store.db, agents.json, run/ and logs/.`

const none: OptionSpecs = {}

export const Commands: CommandSpec[] = [
  {
    name: 'key generate',
    usage: 'persona key generate [--force]',
    summary: 'create the owner key (PERSONA_HOME/key, mode 0600)',
    details: 'Refuses to replace an existing key unless --force (the old key is lost).',
    options: { force: { type: 'boolean' } },
    positionals: { min: 0, max: 0 },
    run: (ctx, values) => runKeyGenerate(ctx, values),
  },
  {
    name: 'key show',
    usage: 'persona key show',
    summary: 'print the owner public key (hex and npub); the secret is never printed',
    details: '',
    options: none,
    positionals: { min: 0, max: 0 },
    run: (ctx) => runKeyShow(ctx),
  },
  {
    name: 'key import',
    usage: 'persona key import SECRET|- [--force]',
    summary: 'store an existing secret key (64 hex or nsec1...); `-` reads it from stdin',
    details: 'Prefer `-` so the secret stays out of your shell history.',
    options: { force: { type: 'boolean' } },
    positionals: { min: 0, max: 1 },
    run: (ctx, values, positionals) => runKeyImport(ctx, values, positionals),
  },
  {
    name: 'publish',
    usage: 'persona publish SLUG --display-name NAME --system-prompt TEXT [--model M] [--provider P] [--runtime R] [--avatar-url URL] [--name-pool A,B] [--file body.json] [--alt]',
    summary: 'sign and publish a persona version (stored locally first; queued when offline)',
    details: `The body is --file (a JSON object) with the flags laid over it. The whole body is replaced:
fields you leave out are absent in the new version. env_vars are refused (secrets stay local).
created_at = max(now, T+1) with T the newest known version; when the relay's NIP-11
created_at_upper_limit would be exceeded the write is refused with \`blocked:\` (exit 5).`,
    options: {
      'display-name': { type: 'string' },
      'system-prompt': { type: 'string' },
      model: { type: 'string' },
      provider: { type: 'string' },
      runtime: { type: 'string' },
      'avatar-url': { type: 'string' },
      'name-pool': { type: 'string' },
      file: { type: 'string' },
      alt: { type: 'boolean' },
    },
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runPublish(ctx, values, positionals),
  },
  {
    name: 'get',
    usage: 'persona get SLUG [--author PUBKEY|NPUB]',
    summary: "show one persona's head (relay when reachable, else the local store)",
    details: 'Env var names are listed; their values are never printed.',
    options: { author: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runGet(ctx, values, positionals),
  },
  {
    name: 'ls',
    usage: 'persona ls [--author PUBKEY|NPUB]',
    summary: "list an author's personas (default: the owner's)",
    details: '',
    options: { author: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    run: (ctx, values) => runLs(ctx, values),
  },
  {
    name: 'rm',
    usage: 'persona rm SLUG',
    summary: 'delete a persona (NIP-09 kind 5 with `a` and `k` tags); a later publish resurrects it',
    details: '',
    options: none,
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runRm(ctx, values, positionals),
  },
  {
    name: 'sync',
    usage: 'persona sync',
    summary: 'publish everything in the pending-sync queue now, then refresh from the relay',
    details: `Every command that talks to the relay also drains the queue entries whose retry time
has come; \`sync\` ignores the backoff. Refused entries stay in the queue as failed (exit 7)
until a newer write for the same persona replaces them; entries left waiting (rate-limited,
stamped ahead of the relay's window) are exit 7 too. Exit 6 when the relay is unreachable
or stops answering mid-drain.`,
    options: none,
    positionals: { min: 0, max: 0 },
    run: (ctx) => runSync(ctx),
  },
  {
    name: 'import-legacy',
    usage: 'persona import-legacy FILE',
    summary: 'migrate a legacy personas.json into signed events (idempotent)',
    details: `FILE is a JSON array of { id, display_name, system_prompt, avatar_url?, runtime?, model?,
provider?, name_pool?, env_vars?, is_builtin? } where id is the slug. Builtins are skipped,
env_vars stay in the local store, records whose persona already exists here are left alone.
Invalid records are refused one by one (exit 7); exit 3 when no record is valid.`,
    options: none,
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runImportLegacy(ctx, values, positionals),
  },
  {
    name: 'doctor',
    usage: 'persona doctor',
    summary: 'check PERSONA_HOME against the spec: stored events, secrets in public events, agent pins, file modes',
    details: `Changes nothing. Errors (exit 3): a stored event that fails verification, an env_vars member
or a local secret (env var values, the owner key) inside a stored event, a pinned
persona_source_version that does not match what the agent pinned, a pin no process can take.
Warnings: files or directories open to other users, a head whose body is invalid, a pin too
old to recompute. Run it after \`persona import-legacy\` or after copying a home.`,
    options: none,
    positionals: { min: 0, max: 0 },
    run: (ctx) => runDoctorCommand(ctx),
  },
  {
    name: 'agent create',
    usage: 'persona agent create NAME --persona SLUG [--env KEY=VALUE]... [--command "..."]',
    summary: 'create an agent pinned to a snapshot of the persona as it is now',
    details: `The snapshot holds system_prompt, model, provider, runtime, an instance name from
name_pool, the env vars (the persona's local ones plus --env) and persona_source_version.
The default command prints the agent's name and idles until stopped (node -e ...).`,
    options: { persona: { type: 'string' }, env: { type: 'string', multiple: true }, command: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runAgentCreate(ctx, values, positionals),
  },
  {
    name: 'agent start',
    usage: 'persona agent start NAME',
    summary: 'spawn the agent from its pinned snapshot (PERSONA_* env vars plus the pinned env)',
    details: 'An agent without a snapshot (its persona was missing at backfill) is refused (exit 4).',
    options: none,
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runAgentStart(ctx, values, positionals),
  },
  {
    name: 'agent stop',
    usage: 'persona agent stop NAME',
    summary: 'SIGTERM the agent (SIGKILL after 5 s); records stop time and exit code',
    details: '',
    options: none,
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runAgentStop(ctx, values, positionals),
  },
  {
    name: 'agent restart',
    usage: 'persona agent restart NAME',
    summary: 'stop and start again on the same pinned snapshot',
    details: '',
    options: none,
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runAgentRestart(ctx, values, positionals),
  },
  {
    name: 'agent respawn',
    usage: 'persona agent respawn NAME',
    summary: 'delete and recreate: take a fresh snapshot of the current persona, then start',
    details: 'Refused (exit 4, agent untouched) when the persona is gone: an orphan has nothing to respawn into.',
    options: none,
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runAgentRespawn(ctx, values, positionals),
  },
  {
    name: 'agent rm',
    usage: 'persona agent rm NAME',
    summary: 'stop the agent if running and remove its record, run state and log',
    details: '',
    options: none,
    positionals: { min: 1, max: 1 },
    run: (ctx, values, positionals) => runAgentRm(ctx, values, positionals),
  },
  {
    name: 'agent ls',
    usage: 'persona agent ls',
    summary: 'list agents with process state and drift',
    details: '',
    options: none,
    positionals: { min: 0, max: 0 },
    run: (ctx) => runAgentLs(ctx),
  },
  {
    name: 'agent status',
    usage: 'persona agent status [NAME]',
    summary: 'the pinned snapshot (what the agent runs), process state and drift',
    details: `drift: up-to-date | out-of-date (the persona changed: respawn to pick it up) |
orphaned (the persona is gone or deleted; never out-of-date). The current version comes
from the store, refreshed from the relay when it answers.`,
    options: none,
    positionals: { min: 0, max: 1 },
    run: (ctx, values, positionals) => runAgentStatus(ctx, values, positionals),
  },
]

export const CommandGroups = ['key', 'agent'] as const

export function findCommand(name: string): CommandSpec | undefined {
  return Commands.find((command) => command.name === name)
}
