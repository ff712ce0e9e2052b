/**
 * Per-run state shared by the commands: PERSONA_HOME, the store and the owner key (opened
 * on first use), the relay session (opened once; the pending-sync queue is drained as soon
 * as the relay answers), and the two output channels: data on stdout, progress on stderr.
 */

import type { ClockWindow } from '../../../spec/model/clock.ts'
import { ensureHome, type PersonaHome, personaHome, resolveHomeDir } from '../home.ts'
import { loadOwnerKey, type OwnerKey } from '../keys.ts'
import { openRelay } from '../relay.ts'
import type { RelayClient, TransportName } from '../relay-types.ts'
import { openRetentionStore, type RetentionStore } from '../store/index.ts'
import type { RejectedEvent } from '../fetch.ts'
import { type DrainReport, drainPendingSync, recordUnreachable } from '../sync.ts'
import { ExitCode } from './exit-codes.ts'
import { type CliIo, fail } from './io.ts'

export interface GlobalOptions {
  json: boolean
  relay: string | null
  transport: TransportName
  timeoutMs: number
}

export interface RelaySession {
  client: RelayClient
  /** The relay's window, or 900 s for each limit it does not advertise. */
  window: ClockWindow
  /** NIP-11 max_message_length, when advertised. */
  maxMessageLength: number | undefined
  /** The automatic drain done when the session opened (null when not drained). */
  drain: DrainReport | null
}

export class CommandContext {
  readonly home: PersonaHome
  private openedStore: RetentionStore | null = null
  private relaySession: RelaySession | null | undefined = undefined
  /** Why the relay is not in use (not configured or unreachable); null while it is. */
  relayProblem: string | null = null
  /** Every event a relay sent during this command that failed the checks, with the reason. */
  readonly rejectedEvents: RejectedEvent[] = []

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.home = personaHome(resolveHomeDir(io.env))
  }

  nowSeconds(): number {
    return Math.floor(this.io.clock() / 1000)
  }

  nowDate(): Date {
    return new Date(this.io.clock())
  }

  /** A progress or status line on stderr. */
  note(text: string): void {
    this.io.stderr(`${text}\n`)
  }

  /** A loud warning on stderr. */
  warn(text: string): void {
    this.io.stderr(`WARNING: ${text}\n`)
  }

  /**
   * Prints the command's one result: a JSON document with --json, else the human lines.
   * Commands that read from a relay also list the events it sent that were not used.
   */
  emit(document: Record<string, unknown>, human: string | readonly string[]): void {
    if (this.options.json) {
      const full = this.relaySession === undefined ? document : { ...document, rejected_events: this.rejectedEvents }
      this.io.stdout(`${JSON.stringify(full, null, 2)}\n`)
      return
    }
    const lines = typeof human === 'string' ? [human] : human
    if (lines.length > 0) this.io.stdout(`${lines.join('\n')}\n`)
  }

  ensureHome(): void {
    const checked = ensureHome(this.home)
    if (!checked.ok) fail(ExitCode.invalid, checked.message)
  }

  /** Records and warns about events a relay sent that failed the checks; they were never used. */
  noteRejected(rejected: readonly RejectedEvent[]): void {
    if (rejected.length === 0) return
    this.rejectedEvents.push(...rejected)
    this.warn(`ignored ${rejected.length} event(s) from the relay that failed verification or were not asked for:`)
    for (const item of rejected) this.io.stderr(`  ${item.id ?? '(no id)'}: ${item.reason}\n`)
  }

  store(): RetentionStore {
    if (this.openedStore === null) {
      this.ensureHome()
      this.openedStore = openRetentionStore(this.home.storeFile)
    }
    return this.openedStore
  }

  ownerKey(): OwnerKey {
    const loaded = loadOwnerKey(this.home.keyFile)
    if (!loaded.ok) fail('missing' in loaded ? ExitCode.notFound : ExitCode.error, loaded.message)
    return loaded.key
  }

  maybeOwnerKey(): OwnerKey | null {
    const loaded = loadOwnerKey(this.home.keyFile)
    return loaded.ok ? loaded.key : null
  }

  /**
   * The relay, or null when none is configured or it cannot be reached (then the reason
   * is in `relayProblem` and a failed attempt is recorded on the due queue entries).
   * Opening drains the due part of the pending-sync queue unless `drain: 'none'`.
   */
  async relay(options: { drain?: 'due' | 'none' } = {}): Promise<RelaySession | null> {
    if (this.relaySession !== undefined) return this.relaySession
    if (this.options.relay === null) {
      this.relayProblem = 'no relay configured (pass --relay URL or set PERSONA_RELAY)'
      this.relaySession = null
      return null
    }
    const store = this.store()
    const key = this.maybeOwnerKey()
    const opened = await openRelay(this.options.relay, {
      transport: this.options.transport,
      secretKey: key?.secretKey,
      timeoutMs: this.options.timeoutMs,
    })
    if (!opened.ok) {
      this.relayProblem = `relay unreachable: ${opened.message}`
      recordUnreachable(store, opened.message, this.nowSeconds())
      this.relaySession = null
      return null
    }
    const session: RelaySession = { client: opened.relay, window: opened.window, maxMessageLength: opened.maxMessageLength, drain: null }
    this.relaySession = session
    if (options.drain !== 'none' && store.queue.count().pending > 0) {
      session.drain = await drainPendingSync(store, opened.relay, {
        now: () => this.nowSeconds(),
        secretKey: key?.secretKey,
        window: opened.window,
        maxMessageLength: opened.maxMessageLength,
      })
      this.reportDrain(session.drain)
    }
    return session
  }

  reportDrain(report: DrainReport): void {
    this.noteRejected(report.rejected)
    if (report.sent.length > 0) this.note(`synced ${report.sent.length} queued event(s) to ${this.options.relay}`)
    for (const item of report.duplicate) this.warn(`queued event ${item.id} for ${item.address} did not become the head on the relay: ${item.message}`)
    for (const item of report.restamped) this.note(`re-stamped stale queued event for ${item.address}: ${item.from} -> ${item.to}`)
    for (const item of report.failed) this.warn(`relay refused queued event ${item.id} for ${item.address}: ${item.message}`)
    for (const item of report.retrying) this.note(`queued event ${item.id} not delivered (${item.message}); will retry`)
  }

  async close(): Promise<void> {
    if (this.relaySession) await this.relaySession.client.close()
    this.openedStore?.close()
  }
}
