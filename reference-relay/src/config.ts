/** Relay options (the embedding contract), their defaults and the limits the relay enforces. */

import { type ClockWindow, DefaultSkewSeconds, symmetricWindow } from '../../spec/model/clock.ts'
import { OriginMaxSubscriptions } from '../../spec/model/subscription-limit.ts'
import { checkPublicUrl } from './http/request-url.ts'
import { isVerifierMode, type VerifierMode, VerifierModes } from './verify/select.ts'

export interface RelayOptions {
  host?: string
  port?: number
  /**
   * SQLite file path, or a `postgres://` URL (several relay processes may share one
   * database); omit or ':memory:' for the in-memory backend.
   */
  db?: string
  /** Reader connections per relay process on PostgreSQL (default 8). */
  pgPool?: number
  /** Clock window in seconds, symmetric. */
  skewSeconds?: number
  /** Origin used for NIP-98 `u` checks behind a proxy (HTTP bridge). */
  publicUrl?: string
  httpAuth?: 'nip98' | 'none'
  /**
   * Signature verification: `pool` (worker threads, native libsecp256k1 when it loads; the
   * default), `pool-js` (worker threads, pure JS) or `main` (nostr-tools on the event loop).
   * Default: the NIP_AP_VERIFIER environment variable, else `pool`.
   */
  verifier?: VerifierMode
  /**
   * Behave as the origin relay (spec sections 15-17, the `origin` profile): NIP-42 AUTH
   * required on every connection, one key per connection, the origin's texts and rules.
   * Default false: an open relay (the `core` profile).
   */
  origin?: boolean
  /**
   * How many steps nicer (Linux nice) the bulk threads run than the socket and reader
   * threads: signature checks, the SQLite writer and its checkpointer. When the cores are
   * short, reads and answers go first (threads/priority.js). Default 0 (every thread alike):
   * a relay embedded in another program shares its process and cores, so thread priorities
   * are that program's call; the command line (main.ts) runs with 10. Ignored off Linux.
   */
  bulkThreadNice?: number
  log?: (line: string) => void
}

/** Every limit the relay enforces; NIP-11 advertises exactly these values. */
export interface Limits {
  /** Bytes of one incoming WebSocket frame. */
  maxMessageLength: number
  /** Frames above this are not read at all: the connection is closed (1009). */
  hardFrameLength: number
  maxSubscriptions: number
  maxFilters: number
  maxSubidLength: number
  /** Clamp for each filter's limit, also the default when a filter has none. */
  maxLimit: number
  maxEventTags: number
  /** Characters (Unicode code points) of an event's content. */
  maxContentLength: number
  /** Output buffered in uWS per connection above which frames wait in the relay's queue. */
  outputHighWater: number
  /** Output waiting in one connection's queue above which it is closed (1008). */
  maxPendingOutput: number
  /**
   * Output owed to all connections together (queues and uWS buffers) above which the
   * connections owed the most are closed (1008): the memory bound with many slow readers.
   */
  maxOutputTotal: number
  /**
   * Bytes of frames one connection passes to the ingester per turn of the event loop; the
   * rest waits for later turns (input-turns.ts), so a flooding connection does not delay the
   * others' frames.
   */
  inputTurnBytes: number
  /** Bytes of frames waiting for one connection's later turns (each also counts 128 for its records); beyond it they are handled at arrival. */
  maxQueuedInput: number
  /** Bytes of frames waiting over all connections, counted the same way; beyond it they are handled at arrival. */
  maxQueuedInputTotal: number
  /** EVENTs of one connection between arrival and OK; beyond it they are answered `rate-limited:`. */
  maxEventsPerConnection: number
  /** EVENTs of all doors together between arrival and OK (verification and writes); beyond it `rate-limited:`. */
  maxEventsInFlight: number
  /** REQ and COUNT of one connection waiting for stored events; beyond it CLOSED `rate-limited:`. */
  maxQueriesPerConnection: number
  /** Reads of all connections and HTTP requests together waiting for the reader threads. */
  maxQueriesInFlight: number
  /** Live events held for a REQ while its stored events are read; beyond it the REQ is CLOSED. */
  maxHeldLiveBytes: number
  /** One write batch (one transaction): at most this many events ... */
  maxBatchEvents: number
  /** ... and about this many bytes (at least one event). */
  maxBatchBytes: number
}

export const DefaultLimits: Readonly<Limits> = {
  // Above the origin relay's 65,536 so the largest persona a writer may produce fits (an extension, README).
  maxMessageLength: 524_288,
  hardFrameLength: 1_048_576,
  maxSubscriptions: 1024,
  maxFilters: 10,
  maxSubidLength: 256,
  maxLimit: 1000,
  maxEventTags: 2000,
  maxContentLength: 262_144,
  outputHighWater: 64 * 1024,
  maxPendingOutput: 32 * 1_048_576,
  maxOutputTotal: 128 * 1_048_576,
  inputTurnBytes: 64 * 1024,
  maxQueuedInput: 16 * 1_048_576,
  maxQueuedInputTotal: 64 * 1_048_576,
  maxEventsPerConnection: 512,
  maxEventsInFlight: 16_384,
  maxQueriesPerConnection: 64,
  maxQueriesInFlight: 4_096,
  maxHeldLiveBytes: 4 * 1_048_576,
  maxBatchEvents: 2_000,
  maxBatchBytes: 16 * 1_048_576,
}

export interface RelayConfig {
  host: string
  port: number
  /** null: in-memory backend; a `postgres://` URL: PostgreSQL; else a SQLite file. */
  db: string | null
  /** Reader connections on PostgreSQL; null: the backend's default. */
  pgPool: number | null
  skewSeconds: number
  publicUrl: string | null
  httpAuth: 'nip98' | 'none'
  limits: Limits
  verifier: VerifierMode
  /** The origin relay's behaviour (RelayOptions.origin). */
  origin: boolean
  /** Steps nicer the bulk threads run (RelayOptions.bulkThreadNice). */
  bulkThreadNice: number
  /** Milliseconds since the epoch; injectable so tests can pin the clock window's edges. */
  clock: () => number
  log: (line: string) => void
}

export function resolveConfig(options: RelayOptions = {}, overrides: Partial<RelayConfig> = {}): RelayConfig {
  const skewSeconds = options.skewSeconds ?? DefaultSkewSeconds
  if (!Number.isSafeInteger(skewSeconds) || skewSeconds < 0) {
    throw new Error(`error: skewSeconds must be a non-negative integer, got ${String(options.skewSeconds)}`)
  }
  const port = options.port ?? 7777
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`error: invalid port ${String(port)}`)
  let publicUrl: string | null = null
  if (options.publicUrl !== undefined) {
    const checked = checkPublicUrl(options.publicUrl)
    if (!checked.ok) throw new Error(checked.message)
    publicUrl = checked.url
  }
  const httpAuth = options.httpAuth ?? 'nip98'
  if (httpAuth !== 'nip98' && httpAuth !== 'none') throw new Error(`error: httpAuth must be 'nip98' or 'none', got ${String(httpAuth)}`)
  const pgPool = options.pgPool ?? null
  if (pgPool !== null && (!Number.isSafeInteger(pgPool) || pgPool < 1)) throw new Error(`error: pgPool must be a positive integer, got ${String(pgPool)}`)
  const bulkThreadNice = options.bulkThreadNice ?? 0
  if (!Number.isSafeInteger(bulkThreadNice) || bulkThreadNice < 0 || bulkThreadNice > 19) {
    throw new Error(`error: bulkThreadNice must be an integer from 0 to 19, got ${String(options.bulkThreadNice)}`)
  }
  const verifier = options.verifier ?? process.env.NIP_AP_VERIFIER ?? 'pool'
  if (!isVerifierMode(verifier)) throw new Error(`error: verifier must be one of ${VerifierModes.join(', ')}, got ${verifier}`)
  return {
    host: options.host ?? '127.0.0.1',
    port,
    db: options.db === undefined || options.db === ':memory:' ? null : options.db,
    pgPool,
    skewSeconds,
    publicUrl,
    httpAuth,
    // Origin mode's cap is the origin's (AP-RELAY-13), whatever the open mode's default.
    limits: { ...DefaultLimits, ...(options.origin === true ? { maxSubscriptions: OriginMaxSubscriptions } : {}) },
    verifier,
    origin: options.origin ?? false,
    bulkThreadNice,
    clock: Date.now,
    log: options.log ?? (() => {}),
    ...overrides,
  }
}

/** The clock window the relay enforces and NIP-11 advertises, in seconds relative to now. */
export function advertisedWindow(config: Pick<RelayConfig, 'skewSeconds'>): ClockWindow {
  return symmetricWindow(config.skewSeconds)
}
