/** Local env vars: names, KEY=VALUE parsing. They never enter a public event. */

export const EnvNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/

export type EnvParse = { ok: true; env: Record<string, string> } | { ok: false; message: string }

export function parseEnvAssignments(assignments: readonly string[]): EnvParse {
  const env: Record<string, string> = {}
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=')
    if (eq <= 0) return { ok: false, message: `invalid: --env takes KEY=VALUE, got ${JSON.stringify(assignment)}` }
    const name = assignment.slice(0, eq)
    if (!EnvNamePattern.test(name)) return { ok: false, message: `invalid: env var name ${JSON.stringify(name)} must match ${EnvNamePattern.source}` }
    env[name] = assignment.slice(eq + 1)
  }
  return { ok: true, env }
}

/** An `env_vars` object from a legacy file: string values under valid names. */
export function checkEnvObject(value: unknown): EnvParse {
  if (value === undefined || value === null) return { ok: true, env: {} }
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'invalid: env_vars must be an object of strings' }
  const env: Record<string, string> = {}
  for (const [name, raw] of Object.entries(value)) {
    if (!EnvNamePattern.test(name)) return { ok: false, message: `invalid: env var name ${JSON.stringify(name)} must match ${EnvNamePattern.source}` }
    if (typeof raw !== 'string') return { ok: false, message: `invalid: env var ${name} must be a string` }
    env[name] = raw
  }
  return { ok: true, env }
}
