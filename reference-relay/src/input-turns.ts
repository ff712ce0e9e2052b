/**
 * Input in turns. uWS hands over every frame it reads from a socket at once (up to half a
 * megabyte of frames per read), and this uWS build cannot pause reading a WebSocket. A
 * connection flooding EVENTs would have all of that parsed, checked and answered before any
 * other connection's next frame is looked at. Instead, each connection passes at most
 * `inputTurnBytes` to the ingester per turn of the event loop (always at least one frame);
 * the rest waits, in order, in its queue and is handed on in later turns, round-robin, after
 * whatever other connections sent meanwhile. A connection that sends little never waits.
 *
 * Bounded: when a connection's queue passes `maxQueuedInput` bytes, or all queues together
 * pass `maxQueuedInputTotal`, the connection's oldest frames are handed on at once until it
 * is back within both, so the flooder pays for its frames at arrival again, as it would
 * without turns. No frame is dropped: every EVENT is still answered, only later.
 * Only websocket.ts uses this; it knows nothing of uWS.
 */

export interface InputLimits {
  /** Bytes of frames one connection passes to the ingester per turn of the event loop. */
  inputTurnBytes: number
  /** Bytes of frames waiting for one connection's later turns. */
  maxQueuedInput: number
  /** Bytes of frames waiting over all connections. */
  maxQueuedInputTotal: number
}

interface Queued<M> {
  msg: M
  bytes: number
}

interface Lane<K, M> {
  conn: K
  /** Frames waiting, oldest first, from `head` on (a consumed prefix is cut off now and then). */
  queue: Array<Queued<M>>
  head: number
  queuedBytes: number
  /** Bytes handed on in the current turn. */
  used: number
  /** Set once the connection closed: called when its last waiting frame has been handed on. */
  onDrained: (() => void) | null
}

export class InputTurns<K, M> {
  readonly #limits: InputLimits
  readonly #deliver: (msg: M) => void
  readonly #lanes = new Map<K, Lane<K, M>>()
  /** Lanes that handed something on this turn (their budget is renewed at the next turn). */
  readonly #spent = new Set<Lane<K, M>>()
  /** Lanes with frames waiting, in the order they are served. */
  readonly #waiting = new Set<Lane<K, M>>()
  #queuedTotal = 0
  #turnScheduled = false

  constructor(deps: { limits: InputLimits; deliver: (msg: M) => void }) {
    this.#limits = deps.limits
    this.#deliver = deps.deliver
  }

  /** Bytes waiting over all connections, each frame counted with its records (`queuedCost`). */
  get queued(): number {
    return this.#queuedTotal
  }

  /** A frame from `conn`: handed on now if its turn allows, else queued behind its earlier ones. */
  receive(conn: K, msg: M, bytes: number): void {
    let lane = this.#lanes.get(conn)
    if (lane === undefined) this.#lanes.set(conn, (lane = { conn, queue: [], head: 0, queuedBytes: 0, used: 0, onDrained: null }))
    if (lane.head === lane.queue.length && this.#fits(lane, bytes)) {
      this.#handOn(lane, msg, bytes)
      return
    }
    lane.queue.push({ msg, bytes })
    const cost = queuedCost(bytes)
    lane.queuedBytes += cost
    this.#queuedTotal += cost
    this.#waiting.add(lane)
    this.#scheduleTurn()
    const { maxQueuedInput, maxQueuedInputTotal } = this.#limits
    while (lane.head < lane.queue.length && (lane.queuedBytes > maxQueuedInput || this.#queuedTotal > maxQueuedInputTotal)) {
      this.#handOn(lane, ...this.#take(lane))
    }
    this.#settle(lane)
  }

  /**
   * The connection closed. What it sent before is still handed on, in order and in turns
   * like the rest (a flooder that hangs up with megabytes waiting must not hold the event
   * loop for all of them at once); `onDrained` runs after its last frame, at once when
   * nothing waits, and the connection is forgotten.
   */
  closed(conn: K, onDrained: () => void): void {
    const lane = this.#lanes.get(conn)
    if (lane === undefined) return onDrained()
    lane.onDrained = onDrained
    if (lane.head === lane.queue.length) this.#forget(lane)
  }

  #fits(lane: Lane<K, M>, bytes: number): boolean {
    return lane.used === 0 || lane.used + bytes <= this.#limits.inputTurnBytes
  }

  #handOn(lane: Lane<K, M>, msg: M, bytes: number): void {
    lane.used += bytes
    this.#spent.add(lane)
    this.#scheduleTurn()
    this.#deliver(msg)
  }

  #take(lane: Lane<K, M>): [M, number] {
    const { msg, bytes } = lane.queue[lane.head] as Queued<M>
    lane.queue[lane.head] = undefined as unknown as Queued<M>
    lane.head += 1
    const cost = queuedCost(bytes)
    lane.queuedBytes -= cost
    this.#queuedTotal -= cost
    return [msg, bytes]
  }

  /** Drops the consumed prefix once it is most of the array, and an empty lane from the waiting set (a closed one for good). */
  #settle(lane: Lane<K, M>): void {
    if (lane.head === lane.queue.length) {
      lane.queue = []
      lane.head = 0
      this.#waiting.delete(lane)
      if (lane.onDrained !== null) this.#forget(lane)
    } else if (lane.head > 1024 && lane.head * 2 > lane.queue.length) {
      lane.queue = lane.queue.slice(lane.head)
      lane.head = 0
    }
  }

  #forget(lane: Lane<K, M>): void {
    this.#lanes.delete(lane.conn)
    this.#spent.delete(lane)
    // Once: a lane whose last frame closed the connection is forgotten by `closed` and then
    // found empty by `#settle` (which also takes it out of the waiting set).
    const onDrained = lane.onDrained
    lane.onDrained = null
    onDrained?.()
  }

  #scheduleTurn(): void {
    if (this.#turnScheduled) return
    this.#turnScheduled = true
    setImmediate(() => this.#turn())
  }

  /**
   * A new turn: every budget is renewed, then each waiting lane hands on up to its budget.
   * Frames that arrive in the next poll phase are judged against what this turn handed on.
   */
  #turn(): void {
    this.#turnScheduled = false
    for (const lane of this.#spent) lane.used = 0
    this.#spent.clear()
    for (const lane of [...this.#waiting]) {
      while (lane.head < lane.queue.length && this.#fits(lane, (lane.queue[lane.head] as Queued<M>).bytes)) {
        this.#handOn(lane, ...this.#take(lane))
      }
      this.#settle(lane)
    }
    if (this.#waiting.size > 0) this.#scheduleTurn()
  }
}

/**
 * What a waiting frame counts against the bounds: its bytes and about what its records cost
 * (the queue entry, the frame and its Buffer), so a flood of empty frames is bounded too.
 */
function queuedCost(bytes: number): number {
  return bytes + 128
}
