/** What a CLI run may touch: its streams, environment and clock (injected in tests). */

import type { ExitCodeValue } from './exit-codes.ts'

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  readStdin: () => Promise<string>
  /** Milliseconds since the epoch. */
  clock: () => number
}

/** Ends a command with an exit code and a prefixed message (printed on stderr, and as JSON with --json). */
export class CliFailure extends Error {
  constructor(
    readonly code: ExitCodeValue,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

export function fail(code: ExitCodeValue, message: string, details?: Record<string, unknown>): never {
  throw new CliFailure(code, message, details)
}

function readProcessStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', (chunk: string) => {
      text += chunk
    })
    process.stdin.once('end', () => resolve(text))
    process.stdin.once('error', reject)
  })
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readStdin: readProcessStdin,
    clock: Date.now,
  }
}
