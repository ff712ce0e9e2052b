/**
 * What a child process can be given. An environment entry is a C string `NAME=value`: a
 * NUL byte ends it early (node refuses it outright), and Linux caps one entry at
 * MAX_ARG_STRLEN (131,072 bytes with its NUL) and the whole argument list plus environment
 * at ARG_MAX (2 MiB with the default stack). Persona fields are untrusted input (AP-SEC-3),
 * so the client checks them before anything is written or spawned.
 */

import { utf8ByteLength } from '../../spec/model/bytes.ts'
import { formatReason } from '../../spec/model/reasons.ts'

/** Bytes of one `NAME=value` entry or one argument, its terminating NUL included (Linux MAX_ARG_STRLEN). */
export const MaxEntryBytes = 131_072

/**
 * Bytes the agent's own entries (snapshot, pinned env, command) may take together; the
 * rest of ARG_MAX is left to the caller's environment and the supervisor's arguments.
 */
export const MaxAgentBytes = 1_048_576

/** Names the snapshot's PERSONA_* variables carry, so a refusal can say which persona field is at fault. */
const personaFields: Record<string, string> = {
  PERSONA_NAME: "an instance name from the persona's name_pool (or its display_name)",
  PERSONA_DISPLAY_NAME: "the persona's display_name",
  PERSONA_SYSTEM_PROMPT: "the persona's system_prompt",
  PERSONA_MODEL: "the persona's model",
  PERSONA_PROVIDER: "the persona's provider",
  PERSONA_RUNTIME: "the persona's runtime",
}

function describe(name: string): string {
  const field = personaFields[name]
  return field === undefined ? `env var ${name}` : `${name} (${field})`
}

export type SpawnCheck = { ok: true } | { ok: false; message: string }

/** Checks the entries an agent adds to its child's environment and its command line. */
export function checkSpawnInput(env: Readonly<Record<string, string>>, command: string): SpawnCheck {
  let total = 0
  for (const [name, value] of Object.entries(env)) {
    if (name === '' || name.includes('=') || name.includes('\0')) {
      return { ok: false, message: formatReason('invalid', `env var name ${JSON.stringify(name)} cannot be passed to a process`) }
    }
    if (value.includes('\0')) {
      return { ok: false, message: formatReason('invalid', `${describe(name)} contains a NUL byte, which no environment variable can hold`) }
    }
    const bytes = utf8ByteLength(`${name}=${value}`) + 1
    if (bytes > MaxEntryBytes) {
      return { ok: false, message: formatReason('invalid', `${describe(name)} is ${bytes} bytes as NAME=value, over the ${MaxEntryBytes} one environment entry may hold`) }
    }
    total += bytes
  }
  if (command.includes('\0')) return { ok: false, message: formatReason('invalid', 'the agent command contains a NUL byte') }
  const commandBytes = utf8ByteLength(command) + 1
  if (commandBytes > MaxEntryBytes) {
    return { ok: false, message: formatReason('invalid', `the agent command is ${commandBytes} bytes, over the ${MaxEntryBytes} one argument may hold`) }
  }
  total += commandBytes
  if (total > MaxAgentBytes) {
    return { ok: false, message: formatReason('invalid', `the agent's environment and command take ${total} bytes, over the ${MaxAgentBytes} the client allows`) }
  }
  return { ok: true }
}
