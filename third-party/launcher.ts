/**
 * The parent side of a host: start a host module in a child process (Node + tsx), wait for
 * its `listening ws://127.0.0.1:PORT` line, and stop it with SIGTERM, then SIGKILL after a
 * deadline. A crashing or hanging third-party relay therefore never takes its caller down,
 * and no child outlives the process that started it.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { formatReason } from '../spec/model/reasons.ts'
import { parseReadyLine, watchStdinVariable } from './child.ts'
import type { HostInfo, HostedRelay, StartOptions } from './types.ts'

const defaultStartTimeoutMs = 20_000
const defaultCloseTimeoutMs = 5_000
const keptLogLines = 200

const require = createRequire(import.meta.url)
const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const tsxLoaderUrl = pathToFileURL(require.resolve('tsx')).href

/** Children still running; killed outright if this process exits without closing them. */
const liveChildren = new Set<ChildProcess>()
let exitHookInstalled = false

function killLiveChildrenOnExit(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL')
  })
}

/** The version of `packageName` installed in node_modules, read from its package.json. */
export function installedVersion(packageName: string): string {
  const manifest = require(`${packageName}/package.json`) as { version?: unknown }
  if (typeof manifest.version !== 'string') {
    throw new Error(formatReason('error', `${packageName}/package.json has no version`))
  }
  return manifest.version
}

class LineLog {
  private readonly kept: string[] = []
  constructor(private readonly limit: number) {}
  push(line: string): void {
    this.kept.push(line)
    if (this.kept.length > this.limit) this.kept.shift()
  }
  lines(): string[] {
    return [...this.kept]
  }
}

interface Started {
  child: ChildProcess
  exited: Promise<void>
  logs: LineLog
  /** Emits 'line' for each line the child writes to stdout. */
  stdoutLines: EventEmitter
}

function spawnHost(hostModuleUrl: string, echo: boolean): Started {
  const child = spawn(process.execPath, ['--import', tsxLoaderUrl, fileURLToPath(hostModuleUrl)], {
    cwd: repoRoot,
    env: { ...process.env, [watchStdinVariable]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  liveChildren.add(child)
  killLiveChildrenOnExit()
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      liveChildren.delete(child)
      resolve()
    })
    // A spawn failure emits 'error' and may never emit 'exit'.
    child.once('error', () => {
      liveChildren.delete(child)
      resolve()
    })
  })
  child.stdin?.on('error', () => {})
  const logs = new LineLog(keptLogLines)
  const stdoutLines = new EventEmitter()
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue
    createInterface({ input: stream }).on('line', (line) => {
      logs.push(line)
      if (echo) process.stderr.write(`${line}\n`)
      if (stream === child.stdout) stdoutLines.emit('line', line)
    })
  }
  return { child, exited, logs, stdoutLines }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

async function stopChild(started: Started, closeTimeoutMs: number): Promise<void> {
  const { child, exited } = started
  if (!hasExited(child)) {
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), closeTimeoutMs)
    await exited
    clearTimeout(killer)
  }
  await exited
}

function waitForReady(started: Started, name: string, startTimeoutMs: number): Promise<string> {
  const { child, logs, stdoutLines } = started
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      cleanup()
      const tail = logs.lines().slice(-20).join('\n')
      reject(new Error(formatReason('error', `${name} relay did not start: ${why}${tail ? `\n${tail}` : ''}`)))
    }
    const onLine = (line: string): void => {
      const url = parseReadyLine(line)
      if (url === null) return
      cleanup()
      resolve(url)
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`child exited before listening (code ${code}, signal ${signal})`)
    const onError = (error: Error): void => fail(`spawn failed: ${error.message}`)
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      fail(`no listening line within ${startTimeoutMs} ms`)
    }, startTimeoutMs)
    const cleanup = (): void => {
      clearTimeout(timer)
      stdoutLines.off('line', onLine)
      child.off('close', onExit)
      child.off('error', onError)
    }
    stdoutLines.on('line', onLine)
    child.once('close', onExit)
    child.once('error', onError)
  })
}

/**
 * Starts the host module at `hostModuleUrl` (a file that calls `runIfMain`) in a child
 * process and resolves once it listens. On a start failure the child is killed and the
 * error carries the last lines it printed.
 */
export async function launchRelay(
  info: HostInfo,
  hostModuleUrl: string,
  options: StartOptions = {},
): Promise<HostedRelay> {
  const startTimeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs
  const closeTimeoutMs = options.closeTimeoutMs ?? defaultCloseTimeoutMs
  const version = installedVersion(info.package)
  const started = spawnHost(hostModuleUrl, options.echo ?? false)
  let url: string
  try {
    url = await waitForReady(started, info.name, startTimeoutMs)
  } catch (error) {
    await stopChild(started, 0)
    throw error
  }
  const pid = started.child.pid
  if (pid === undefined) throw new Error(formatReason('error', `${info.name} child has no pid`))
  let closing: Promise<void> | undefined
  return {
    name: info.name,
    url,
    ...(info.servesHttp ? { httpUrl: url.replace(/^ws:/, 'http:') } : {}),
    version,
    pid,
    logs: () => started.logs.lines(),
    close: () => (closing ??= stopChild(started, closeTimeoutMs)),
  }
}
