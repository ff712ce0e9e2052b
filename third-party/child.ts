/**
 * The child-process side of a host: run the relay's `serve` function when the host module
 * is the process entry point, announce the port on stdout, and shut down on SIGTERM,
 * SIGINT or when the parent goes away (stdin closes).
 */

import { realpathSync } from 'node:fs'
import { once } from 'node:events'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { formatReason } from '../spec/model/reasons.ts'
import type { WebSocketServer } from 'ws'
import type { ServingRelay } from './types.ts'

/** How long the relay's own close may take before the child exits anyway. */
const childCloseDeadlineMs = 3_000

/** Set by the launcher: the child then exits when its stdin (the launcher's pipe) closes. */
export const watchStdinVariable = 'NIP_AP_HOST_WATCH_STDIN'

const readyLinePattern = /^listening (ws:\/\/127\.0\.0\.1:\d+)$/

export function formatReadyLine(port: number): string {
  return `listening ws://127.0.0.1:${port}`
}

/** The WebSocket URL announced by a ready line, or null for any other line. */
export function parseReadyLine(line: string): string | null {
  return readyLinePattern.exec(line.trim())?.[1] ?? null
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b)
  } catch {
    return false
  }
}

/** Runs `serve` in this process if the module at `moduleUrl` is the entry point; else does nothing. */
export function runIfMain(moduleUrl: string, serve: () => Promise<ServingRelay>): void {
  const entry = process.argv[1]
  if (entry === undefined || !sameFile(entry, fileURLToPath(moduleUrl))) return
  void runRelayChild(serve)
}

async function runRelayChild(serve: () => Promise<ServingRelay>): Promise<void> {
  guardCrashes()
  let relay: ServingRelay
  try {
    relay = await serve()
  } catch (error) {
    console.error(formatReason('error', `relay failed to start: ${describeError(error)}`))
    process.exit(1)
  }
  process.stdout.write(`${formatReadyLine(relay.port)}\n`)

  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    setTimeout(() => process.exit(0), childCloseDeadlineMs).unref()
    relay
      .close()
      .catch((error: unknown) => console.error(formatReason('error', `relay close failed: ${describeError(error)}`)))
      .finally(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  if (process.env[watchStdinVariable] === '1') {
    // The launcher holds our stdin open; when it dies, the pipe closes and we follow it.
    process.stdin.on('end', stop)
    process.stdin.on('close', stop)
    process.stdin.on('error', stop)
    process.stdin.resume()
  }
}

/**
 * Third-party relays may throw from a socket handler on a malformed frame. A crash would
 * end every later case against that relay, so the child logs the error (the harness can
 * read it from `HostedRelay.logs()`) and keeps serving, as a supervised process would be.
 */
function guardCrashes(): void {
  process.on('uncaughtException', (error) => console.error(`uncaught: ${describeError(error)}`))
  process.on('unhandledRejection', (reason) => console.error(`unhandled rejection: ${describeError(reason)}`))
}

type ListenArgs = unknown[]

/**
 * Calls `start` while every `server.listen(port[, callback])` without a host binds
 * 127.0.0.1 instead of all interfaces. For relays that call listen themselves and take
 * no host option. The patch is removed before this function returns.
 */
export function withLoopbackListen<T>(start: () => T): T {
  const prototype = net.Server.prototype as unknown as { listen: (...args: ListenArgs) => net.Server }
  const original = prototype.listen
  prototype.listen = function listenOnLoopback(this: net.Server, ...args: ListenArgs): net.Server {
    const [port, second, ...rest] = args
    const portOnly = typeof port === 'number' || typeof port === 'string'
    if (portOnly && (second === undefined || typeof second === 'function')) {
      return original.call(this, port, '127.0.0.1', ...(second === undefined ? [] : [second]), ...rest)
    }
    return original.apply(this, args)
  }
  try {
    return start()
  } finally {
    prototype.listen = original
  }
}

function portOf(address: net.AddressInfo | string | null): number {
  if (address !== null && typeof address === 'object') return address.port
  throw new Error(formatReason('error', 'server has no TCP address'))
}

/** Resolves with the bound port once `server` listens (or at once if it already does). */
export async function listeningPort(server: net.Server): Promise<number> {
  if (!server.listening) await once(server, 'listening')
  return portOf(server.address())
}

/** The same for a `ws` server that opened its own HTTP server (`port` option). */
export async function wsListeningPort(wss: WebSocketServer): Promise<number> {
  await once(wss, 'listening')
  return portOf(wss.address())
}

/** Drops every client of a host's WebSocket server at once, then closes the server. */
export async function closeWebSocketServer(wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate()
  await new Promise<void>((resolve) => wss.close(() => resolve()))
}
