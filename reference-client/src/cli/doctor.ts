/** persona doctor: check PERSONA_HOME against the spec's rules; report, change nothing. */

import { existsSync } from 'node:fs'
import { loadAgents } from '../agents.ts'
import { type Finding, runDoctor } from '../doctor.ts'
import { loadOwnerKey } from '../keys.ts'
import { openRetentionStore } from '../store/index.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { fail } from './io.ts'

function line(finding: Finding): string {
  const label = finding.severity === 'error' ? 'ERROR  ' : 'warning'
  return `${label} ${finding.subject}: ${finding.message}${finding.requirement ? ` [${finding.requirement}]` : ''}`
}

export async function runDoctorCommand(ctx: CommandContext): Promise<number> {
  const { home } = ctx
  if (!existsSync(home.dir)) fail(ExitCode.notFound, `error: no PERSONA_HOME at ${home.dir}; nothing to check`)
  const extra: Finding[] = []
  const loaded = loadAgents(home.agentsFile)
  if (!loaded.ok) extra.push({ severity: 'error', check: 'agent', subject: home.agentsFile, message: loaded.message })
  const key = loadOwnerKey(home.keyFile)
  if (!key.ok && !('missing' in key)) extra.push({ severity: 'error', check: 'home', subject: home.keyFile, message: key.message })
  // Opened directly, not through the context: the doctor reports a home other commands refuse.
  const store = existsSync(home.storeFile) ? openRetentionStore(home.storeFile) : null
  let report: ReturnType<typeof runDoctor>
  try {
    report = runDoctor({
      home,
      store,
      agents: loaded.ok ? loaded.agents : [],
      secretKey: key.ok ? key.key.secretKey : null,
      uid: typeof process.getuid === 'function' ? process.getuid() : null,
    })
  } finally {
    store?.close()
  }
  const findings = [...extra, ...report.findings]
  const errors = findings.filter((f) => f.severity === 'error').length
  const warnings = findings.length - errors
  const c = report.checked
  ctx.emit({ ok: errors === 0, home: home.dir, checked: report.checked, errors, warnings, findings }, [
    ...findings.map(line),
    `checked ${c.events} head(s), ${c.deletions} deletion(s), ${c.queued} queued event(s), ${c.agents} agent(s) against ${c.secrets} local secret(s): ${errors} error(s), ${warnings} warning(s)`,
  ])
  if (errors > 0) {
    ctx.io.stderr(`invalid: persona doctor found ${errors} error(s) in ${home.dir}\n`)
    return ExitCode.invalid
  }
  return ExitCode.ok
}
