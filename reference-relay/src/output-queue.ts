/**
 * Output to slow readers, bounded. Each connection sends straight into uWS while uWS holds
 * less than `outputHighWater` for it; beyond that, frames wait in order in the connection's
 * queue until uWS reports `drain`. What the relay owes a connection (uWS's buffer plus its
 * queue) is counted, and so is the sum over all connections:
 *
 * - a connection owed more than `maxPendingOutput` in its queue is cut;
 * - when the sum passes `maxOutputTotal`, the connections owed the most are cut until the
 *   sum is back under three quarters of it, so memory stays bounded however many readers
 *   stall (a reader that keeps up owes nothing and is never cut).
 *
 * Cutting drops the queue and ends the connection with 1008 and a reason (the only message
 * a stalled reader can still get, after what uWS already holds); a connection still open
 * 10 s later is closed outright. This uWS build cannot pause reading a WebSocket, so a
 * client that floods EVENTs without reading its OKs meets the same limits.
 *
 * Frames posted during one synchronous run of the event loop (a batch's OKs, an input turn's
 * answers, a publish fanned out) are gathered per connection and written at the end of the
 * run, one corked write per connection: each cork ends in a write to the socket, and one
 * write per OK cost the main thread and the reading client a system call and a TCP segment
 * each (a flooder's rate-limited OKs: tens of thousands of them).
 * Only websocket.ts calls this; it never sees uWS itself (structural types).
 */

export interface OutputSocket {
  getBufferedAmount(): number
  send(frame: string, isBinary: boolean): unknown
  cork(fn: () => void): unknown
  end(code: number, reason: string): void
  close(): void
}

/** Per-connection state, kept in the socket's user data. */
export interface Backlog {
  /** Frames waiting for uWS's buffer to drain below the high-water mark. */
  waiting: string[]
  /** Their size in UTF-16 units (close enough to bytes for a memory bound). */
  waitingBytes: number
  /** What this connection counts for in the total: queue plus uWS's buffer when last seen. */
  owed: number
  /** Cut: frames for it are dropped. */
  cut: boolean
  /** A drain was reported and the queue will be resumed on the next turn of the event loop. */
  resumeQueued: boolean
}

export interface OutputLimits {
  outputHighWater: number
  maxPendingOutput: number
  maxOutputTotal: number
}

export function newBacklog(): Backlog {
  return { waiting: [], waitingBytes: 0, owed: 0, cut: false, resumeQueued: false }
}

/** How long a cut connection may linger (its close frame waits behind unread output). */
const CutGraceMs = 10_000

export class OutputQueues<S extends OutputSocket> {
  readonly #limits: OutputLimits
  readonly #log: (line: string) => void
  readonly #backlog: (ws: S) => Backlog
  readonly #isOpen: (ws: S) => boolean
  /** Connections owing anything, for the relay-wide budget. */
  readonly #owing = new Set<S>()
  #total = 0
  #cuts = 0

  readonly #onCut: (ws: S) => void
  /** Frames posted in the current run, per connection, in order (see the module comment). */
  readonly #posted = new Map<S, string[]>()
  #flushQueued = false

  constructor(deps: {
    limits: OutputLimits
    log: (line: string) => void
    backlog: (ws: S) => Backlog
    isOpen: (ws: S) => boolean
    /** Called once per cut connection: its subscriptions should stop producing frames now. */
    onCut?: (ws: S) => void
  }) {
    this.#limits = deps.limits
    this.#log = deps.log
    this.#backlog = deps.backlog
    this.#isOpen = deps.isOpen
    this.#onCut = deps.onCut ?? (() => {})
  }

  /** Bytes owed over all connections (as last seen). */
  get total(): number {
    return this.#total
  }

  /** Connections cut since start. */
  get cuts(): number {
    return this.#cuts
  }

  /**
   * Queues frames for the write at the end of this run; frames for one connection keep
   * the order they were posted in, whoever posted them.
   */
  post(ws: S, frames: readonly string[]): void {
    let posted = this.#posted.get(ws)
    if (posted === undefined) this.#posted.set(ws, (posted = []))
    for (const frame of frames) posted.push(frame)
    if (this.#flushQueued) return
    this.#flushQueued = true
    queueMicrotask(() => this.flush())
  }

  /** Writes every posted frame now (also before a connection is ended or the relay stops). */
  flush(): void {
    this.#flushQueued = false
    for (const [ws, frames] of this.#posted) {
      this.#posted.delete(ws)
      if (this.#isOpen(ws)) this.send(ws, frames)
    }
  }

  /** Writes `frames` at once, or queues them behind what waits for a drain. */
  send(ws: S, frames: readonly string[]): void {
    const data = this.#backlog(ws)
    if (data.cut) return
    const { outputHighWater } = this.#limits
    ws.cork(() => {
      for (const frame of frames) {
        if (data.waiting.length === 0 && ws.getBufferedAmount() < outputHighWater) {
          ws.send(frame, false)
        } else {
          data.waiting.push(frame)
          data.waitingBytes += frame.length
        }
      }
    })
    this.#recount(ws, data)
    if (data.waitingBytes > this.#limits.maxPendingOutput) this.cut(ws, 'slow reader: too much output waiting')
    if (this.#total > this.#limits.maxOutputTotal) this.#shed()
  }

  /**
   * uWS drained some of its buffer: queued frames go out on the next turn of the event loop,
   * not inside this callback. In this uWS build a send made inside the drain callback that
   * meets backpressure leaves the socket unpolled for writability: no further drain comes,
   * uWS keeps its buffer, and the connection goes silent for good (a REQ answer of dozens of
   * 250 KB events stalled before EOSE in most rounds; test/large-answers.test.ts).
   */
  drained(ws: S): void {
    const data = this.#backlog(ws)
    if (data.cut || data.resumeQueued || data.waiting.length === 0) return
    data.resumeQueued = true
    setImmediate(() => {
      data.resumeQueued = false
      if (this.#isOpen(ws)) this.#resume(ws, data)
    })
  }

  /** Sends queued frames while uWS holds less than the high-water mark. */
  #resume(ws: S, data: Backlog): void {
    if (data.cut) return
    let sent = 0
    ws.cork(() => {
      while (sent < data.waiting.length && ws.getBufferedAmount() < this.#limits.outputHighWater) {
        const frame = data.waiting[sent++] as string
        data.waitingBytes -= frame.length
        ws.send(frame, false)
      }
    })
    data.waiting.splice(0, sent)
    this.#recount(ws, data)
  }

  /** The connection is gone: it owes nothing any more. */
  closed(ws: S): void {
    this.#posted.delete(ws)
    const data = this.#backlog(ws)
    this.#total -= data.owed
    data.owed = 0
    data.waiting = []
    data.waitingBytes = 0
    this.#owing.delete(ws)
  }

  /** Drops what the connection is owed and ends it (see the module comment). */
  cut(ws: S, reason: string): void {
    const data = this.#backlog(ws)
    if (data.cut) return
    this.closed(ws)
    data.cut = true
    this.#cuts += 1
    this.#onCut(ws)
    ws.end(1008, reason)
    setTimeout(() => {
      if (this.#isOpen(ws)) ws.close()
    }, CutGraceMs).unref()
  }

  #recount(ws: S, data: Backlog): void {
    const owed = data.waitingBytes + ws.getBufferedAmount()
    this.#total += owed - data.owed
    data.owed = owed
    if (owed > 0) this.#owing.add(ws)
    else this.#owing.delete(ws)
  }

  /** Over the relay-wide budget: cut the connections owed the most. */
  #shed(): void {
    const target = this.#limits.maxOutputTotal * 0.75
    const worst = [...this.#owing].sort((a, b) => this.#backlog(b).owed - this.#backlog(a).owed)
    let cut = 0
    for (const ws of worst) {
      if (this.#total <= target) break
      this.cut(ws, 'slow reader: relay output budget exhausted')
      cut += 1
    }
    this.#log(`websocket: output owed to readers passed ${this.#limits.maxOutputTotal} bytes; cut ${cut} slowest connection(s)`)
  }
}
