/**
 * Live events stored by the other relay processes on the same PostgreSQL database.
 *
 * Every batch transaction ends with NOTIFY `<commit> <origin> [events]` (pg-store.ts): the
 * commit number, the relay process that wrote it, and the batch's fan-out events when they
 * fit in a payload. Commit numbers are gapless and notifications arrive in commit order, so
 * this feed knows the last commit it has handled (`lastSeen`) and notices any gap:
 *
 * - the next commit, with its events or from this process: delivered from the payload (this
 *   process's own events were already fanned out by its writer, so they are skipped);
 * - anything else (events too large for the payload, a gap after a dropped listener
 *   connection, a notification that never came): the missing commits' events are read from
 *   `relay_live` in commit order and delivered, each with its commit number.
 *
 * The listener connection is re-opened after it drops (backoff 100 ms doubling to 5 s) and
 * catches up from `lastSeen`; a poll every 2 s checks the connection and catches up to a
 * commit that should have been notified and was not. Rows of `relay_live` are kept for a
 * retention time; when the commits to catch up on were pruned meanwhile, the feed says so
 * (`lost`) and the relay ends every subscription with CLOSED, so nothing is missed silently.
 *
 * Each delivered event carries its commit number, so the monitor's hand-over holds across
 * instances: a REQ's stored answer includes every commit up to its snapshot's number, and
 * live events after it are delivered once, whichever instance stored them.
 */

import pg from 'pg'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { formatReason } from '../../../spec/model/reasons.ts'
import type { LiveFeed, LiveSink } from './event-store.ts'
import type { PgStore } from './pg-store.ts'

export interface PgLiveFeedOptions {
  log: (line: string) => void
  /** Reconnect delay after a dropped listener connection: first, and the most it doubles to. */
  reconnectMinMs?: number
  reconnectMaxMs?: number
  /** How often the listener connection is checked (and missed notifications caught up). */
  pollMs?: number
  /** Rows read from relay_live per query while catching up. */
  pageRows?: number
  /** Notifications waiting to be handled; beyond it they are replaced by one catch-up read. */
  maxQueued?: number
}

interface Notice {
  commit: number
  /** The writing process; null for a catch-up request (after a reconnect or a poll). */
  origin: string | null
  /** The JSON array of the commit's fan-out events, when the payload carried them. */
  events: string | null
}

export const LostLiveMessage = formatReason(
  'error',
  'live events stored by another relay instance were missed (the listener was away longer than they are kept); send the REQ again',
)

const NoPos = 2_147_483_647

/** Parses `<commit> <origin>[ <events>]`; null for anything else. */
export function parseNotice(payload: string): Notice | null {
  const first = payload.indexOf(' ')
  if (first < 1) return null
  const commit = Number(payload.slice(0, first))
  if (!Number.isSafeInteger(commit) || commit < 1) return null
  const second = payload.indexOf(' ', first + 1)
  const origin = second < 0 ? payload.slice(first + 1) : payload.slice(first + 1, second)
  if (origin === '') return null
  return { commit, origin, events: second < 0 ? null : payload.slice(second + 1) }
}

export class PgLiveFeed implements LiveFeed {
  readonly #store: PgStore
  readonly #log: (line: string) => void
  readonly #reconnectMinMs: number
  readonly #reconnectMaxMs: number
  readonly #pollMs: number
  readonly #pageRows: number
  readonly #maxQueued: number
  #client: pg.Client | null = null
  #sink: LiveSink | null = null
  /**
   * How far the fan-out has been handled (delivered, skipped as this process's own, or found
   * empty): the commit and position in it of the last row, pos NoPos once the commit is whole.
   */
  #at = { commit: 0, pos: NoPos }
  #queue: Notice[] = []
  #draining = false
  #closed = false
  #reconnectDelay: number
  #reconnectTimer: NodeJS.Timeout | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #pollTimer: NodeJS.Timeout | undefined
  #polledCommit: number | null = null
  readonly stats = { notifications: 0, fromPayload: 0, fetchedRows: 0, reconnects: 0, lost: 0 }

  private constructor(store: PgStore, options: PgLiveFeedOptions) {
    this.#store = store
    this.#log = options.log
    this.#reconnectMinMs = options.reconnectMinMs ?? 100
    this.#reconnectMaxMs = options.reconnectMaxMs ?? 5_000
    this.#reconnectDelay = this.#reconnectMinMs
    this.#pollMs = options.pollMs ?? 2_000
    this.#pageRows = options.pageRows ?? 500
    this.#maxQueued = options.maxQueued ?? 10_000
  }

  /**
   * Listens, then takes the current commit as the starting point: earlier commits need no
   * delivery (no subscription exists before the relay starts listening for clients).
   */
  static async start(store: PgStore, options: PgLiveFeedOptions): Promise<PgLiveFeed> {
    const feed = new PgLiveFeed(store, options)
    feed.#at = { commit: await feed.#connect(), pos: NoPos }
    feed.#pollTimer = setInterval(() => feed.#poll(), feed.#pollMs)
    feed.#pollTimer.unref()
    return feed
  }

  attach(sink: LiveSink): void {
    this.#sink = sink
  }

  /** The last commit handled in full. */
  get lastSeen(): number {
    return this.#at.pos === NoPos ? this.#at.commit : this.#at.commit - 1
  }

  /** Whether the listener connection is up. */
  get listening(): boolean {
    return this.#client !== null
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    clearTimeout(this.#retryTimer)
    clearInterval(this.#pollTimer)
    const client = this.#client
    this.#client = null
    await client?.end().catch(() => {})
  }

  /** Opens the listener connection, LISTENs, and returns the commit counter read after it. */
  async #connect(): Promise<number> {
    const client = new pg.Client(this.#store.listenerConfig())
    client.on('notification', (message) => {
      if (this.#client !== client || message.payload === undefined) return
      this.stats.notifications += 1
      const notice = parseNotice(message.payload)
      if (notice === null) this.#log(`postgres listener: ignored a malformed notification: ${message.payload.slice(0, 80)}`)
      else this.#enqueue(notice)
    })
    client.on('error', (error) => this.#dropped(client, error))
    client.on('end', () => this.#dropped(client, null))
    try {
      await client.connect()
      await client.query(`LISTEN ${this.#store.tables.channel}`)
      const { rows } = await client.query<{ n: number }>(`SELECT n FROM ${this.#store.tables.commits} WHERE id = 1`)
      const n = rows[0]?.n
      if (n === undefined) throw new Error('the commit counter row is missing')
      this.#client = client
      return n
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
  }

  #dropped(client: pg.Client, error: Error | null): void {
    if (this.#client !== client) return
    this.#client = null
    client.end().catch(() => {})
    if (this.#closed) return
    this.#log(`postgres listener: connection lost${error === null ? '' : ` (${error.message})`}; reconnecting`)
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = setTimeout(() => {
      this.#connect().then(
        (n) => {
          if (this.#closed) {
            void this.#client?.end().catch(() => {})
            return
          }
          this.stats.reconnects += 1
          this.#reconnectDelay = this.#reconnectMinMs
          this.#log(`postgres listener: reconnected; catching up from commit ${this.lastSeen} to ${n}`)
          this.#enqueue({ commit: n, origin: null, events: null })
        },
        (error: unknown) => {
          this.#log(`postgres listener: reconnect failed: ${(error as Error).message}`)
          this.#reconnectDelay = Math.min(this.#reconnectDelay * 2, this.#reconnectMaxMs)
          if (!this.#closed) this.#scheduleReconnect()
        },
      )
    }, this.#reconnectDelay)
    this.#reconnectTimer.unref()
  }

  /**
   * Checks the connection, and catches up to the commit the previous poll saw when it has
   * not been handled since (its notification should long have arrived).
   */
  #poll(): void {
    const client = this.#client
    if (client === null || this.#closed) return
    client.query<{ n: number }>(`SELECT n FROM ${this.#store.tables.commits} WHERE id = 1`).then(
      ({ rows }) => {
        const n = rows[0]?.n
        const previous = this.#polledCommit
        if (previous !== null && previous > this.lastSeen) this.#enqueue({ commit: previous, origin: null, events: null })
        this.#polledCommit = n ?? null
      },
      (error: unknown) => {
        // A connection that cannot answer is treated as lost.
        this.#dropped(client, error as Error)
      },
    )
  }

  #enqueue(notice: Notice): void {
    if (this.#queue.length >= this.#maxQueued) {
      // Too far behind: one catch-up read replaces the waiting notifications.
      const highest = Math.max(notice.commit, ...this.#queue.map((n) => n.commit))
      this.#queue = [{ commit: highest, origin: null, events: null }]
    } else this.#queue.push(notice)
    if (!this.#draining) void this.#drain()
  }

  async #drain(): Promise<void> {
    this.#draining = true
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const notice = this.#queue[0] as Notice
        try {
          await this.#handle(notice)
        } catch (error) {
          // The database could not be read: try the same notice again shortly.
          this.#log(`postgres listener: catching up failed: ${(error as Error).message}; retrying`)
          clearTimeout(this.#retryTimer)
          this.#retryTimer = setTimeout(() => {
            if (!this.#draining) void this.#drain()
          }, 1_000)
          this.#retryTimer.unref()
          return
        }
        this.#queue.shift()
      }
    } finally {
      this.#draining = false
    }
  }

  async #handle(notice: Notice): Promise<void> {
    if (notice.commit <= this.lastSeen) return
    const next = this.#at.pos === NoPos && notice.commit === this.#at.commit + 1
    if (next && notice.origin === this.#store.origin) {
      this.#at = { commit: notice.commit, pos: NoPos }
      return
    }
    if (next && notice.origin !== null && notice.events !== null) {
      this.stats.fromPayload += 1
      for (const event of JSON.parse(notice.events) as NostrEvent[]) this.#sink?.publish(event, notice.commit)
      this.#at = { commit: notice.commit, pos: NoPos }
      return
    }
    // One catch-up covers every notice waiting behind this one (they are committed too).
    let through = notice.commit
    for (const waiting of this.#queue) if (waiting.commit > through) through = waiting.commit
    await this.#catchUp(through)
  }

  /**
   * Delivers the fan-out of every commit after the last one handled up to `through`, from
   * relay_live, page by page; a page that fails is read again from the last row delivered.
   */
  async #catchUp(through: number): Promise<void> {
    for (;;) {
      const complete = this.lastSeen
      const { prunedThrough, rows } = await this.#store.readLive(this.#at, through, this.#pageRows)
      if (prunedThrough > complete) {
        this.stats.lost += 1
        this.#log(`postgres listener: commits ${complete + 1}..${prunedThrough} were pruned before they were delivered; ending subscriptions`)
        this.#sink?.lost(LostLiveMessage)
        this.#at = { commit: through, pos: NoPos }
        return
      }
      for (const row of rows) {
        this.stats.fetchedRows += 1
        if (row.origin !== this.#store.origin) this.#sink?.publish(JSON.parse(row.raw) as NostrEvent, row.commit)
        this.#at = { commit: row.commit, pos: row.pos }
      }
      if (rows.length < this.#pageRows) break
    }
    this.#at = { commit: through, pos: NoPos }
  }
}
