/**
 * Load generators run as child processes (Node + tsx) so they never share the relay's or
 * the orchestrator's event loop. Protocol over the IPC channel: the parent passes a JSON
 * config as argv[2]; the child prepares (signs events, connects, warms up) and sends
 * `ready`; the parent sends `go` to every generator of a workload at once; the child runs
 * and sends `result`, then exits. Every child is killed at its deadline whatever happens.
 */

import { type ChildProcess, fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

type ParentMsg = { type: 'go' }
type ChildMsg<R> = { type: 'ready'; info: unknown } | { type: 'result'; result: R } | { type: 'failed'; error: string }

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const epochMs = (): number => performance.timeOrigin + performance.now()

export class Generator<R> {
  readonly name: string
  readonly ready: Promise<unknown>
  readonly result: Promise<R>
  readonly #child: ChildProcess
  readonly #timer: NodeJS.Timeout

  constructor(name: string, script: URL, config: unknown, deadlineMs: number) {
    this.name = name
    this.#child = fork(fileURLToPath(script), [JSON.stringify(config)], {
      execArgv: ['--import', tsxLoader],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const child = this.#child
    this.#timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs)
    const ready = deferred<unknown>()
    const result = deferred<R>()
    const reject = (error: Error) => {
      ready.reject(error)
      result.reject(error)
    }
    this.ready = ready.promise
    this.result = result.promise
    child.on('message', (msg: ChildMsg<R>) => {
      if (msg.type === 'ready') ready.resolve(msg.info)
      else if (msg.type === 'result') result.resolve(msg.result)
      else reject(new Error(`${name}: ${msg.error}`))
    })
    child.on('exit', (code, signal) => {
      clearTimeout(this.#timer)
      reject(new Error(`${name} exited (${signal ?? code}) before reporting`))
    })
  }

  go(): void {
    const msg: ParentMsg = { type: 'go' }
    this.#child.send(msg)
  }

  kill(): void {
    this.#child.kill('SIGKILL')
  }
}

interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: Error): void
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Callers may await only one of a generator's promises; the other must not go unhandled.
  promise.catch(() => {})
  return { promise, resolve, reject }
}

/** Starts several generators, waits until all are ready, starts them together, collects results. */
export async function runTogether<R>(generators: Array<Generator<R>>, onGo?: () => void): Promise<R[]> {
  try {
    await Promise.all(generators.map((g) => g.ready))
    onGo?.()
    for (const g of generators) g.go()
    return await Promise.all(generators.map((g) => g.result))
  } catch (error) {
    for (const g of generators) g.kill()
    throw error
  }
}

/** The child side: prepare, announce ready, wait for go, run, report, exit. */
export function generatorMain<C, R>(prepare: (config: C) => Promise<{ info?: unknown; run(): Promise<R> }>): void {
  const send = (msg: ChildMsg<R>) => process.send?.(msg)
  const fail = (error: unknown) => {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
    setTimeout(() => process.exit(1), 100)
  }
  process.on('disconnect', () => process.exit(0))
  const config = JSON.parse(process.argv[2] ?? '{}') as C
  prepare(config).then((prepared) => {
    process.once('message', (msg: ParentMsg) => {
      if (msg.type !== 'go') return
      prepared.run().then((result) => {
        send({ type: 'result', result })
        setTimeout(() => process.exit(0), 100)
      }, fail)
    })
    send({ type: 'ready', info: prepared.info ?? null })
  }, fail)
}
