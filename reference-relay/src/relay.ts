/** Assembles the stages into a running relay and takes it down in order. */

import type { NostrEvent } from '../../spec/model/event.ts'
import type { SkippableHttpAuthCheck } from '../../spec/model/http-auth.ts'
import { SubscriptionLimitRefusal } from '../../spec/model/subscription-limit.ts'
import type { RelayConfig } from './config.ts'
import { nip42Door } from './connection-auth.ts'
import type { BridgeBackend } from './http/bridge.ts'
import { bridgeRawRoutes } from './http/setup.ts'
import { type IngestPolicy, originRelayPolicy, relayPolicy } from './ingest-policy.ts'
import { Ingester } from './ingester.ts'
import type { Inbox, IngesterMsg, OutboundMsg } from './messages.ts'
import { Monitor } from './monitor.ts'
import { nip11Routes, relayInformation } from './nip11.ts'
import { ReqWorker } from './req-worker.ts'
import type { RelayStore } from './storage/event-store.ts'
import { openStore, storeLabel } from './storage/open-store.ts'
import { gateReads } from './storage/read-gate.ts'
import type { Verifier } from './verifier.ts'
import { acquireVerifier } from './verify/select.ts'
import { type HttpRoute, type RawHttpHandler, WebsocketStage } from './websocket.ts'
import { createWire, type Wire } from './wire.ts'
import { Writer } from './writer.ts'

export interface RunningRelay {
  url: string
  httpUrl: string
  port: number
  close(): Promise<void>
}

/** The stages, for tests and for doors added beside the WebSocket. */
export interface RelayStages {
  config: RelayConfig
  store: RelayStore
  ingester: Ingester
  reqWorker: ReqWorker
  monitor: Monitor
  writer: Writer
  verifier: Verifier
}

/** Internals a test or a later stage may reach; not part of the embedding contract. */
export interface RelayInternals extends RunningRelay, RelayStages {}

/**
 * Parts a relay is built from that a test relay may replace (reference-relay/test-support
 * builds relays with single defects this way). The relay itself uses none of these: its
 * policy, rules and stages are spec/model's and its own.
 */
export interface RelayParts {
  /** Stateless rules at ingest. Default: spec/model's (relayPolicy). */
  policy?: IngestPolicy
  /** The store, built by the test relay (a memory store with bent rules, say). Default: openStore. */
  openStore?: (config: RelayConfig) => Promise<RelayStore>
  /** NIP-98 checks the HTTP bridge leaves out. */
  httpAuthSkips?: ReadonlySet<SkippableHttpAuthCheck>
  wrapVerifier?: (verifier: Verifier) => Verifier
  wrapWire?: (wire: Wire) => Wire
  wrapOutbox?: (outbox: Inbox<OutboundMsg>) => Inbox<OutboundMsg>
  wrapIngester?: (ingester: Inbox<IngesterMsg>) => Inbox<IngesterMsg>
  wrapBridge?: (backend: BridgeBackend) => BridgeBackend
}

export interface RelayExtensions {
  /** Plain-data HTTP routes (served through websocket.ts). */
  routes?: (stages: RelayStages) => HttpRoute[]
  /** Handlers that drive uWS responses themselves, registered with `any(pattern)`. */
  rawRoutes?: (stages: RelayStages) => Array<[pattern: string, handler: RawHttpHandler]>
  parts?: RelayParts
}

export const MaxHttpBody = 1024 * 1024

export async function createRelay(config: RelayConfig, extra: RelayExtensions = {}): Promise<RelayInternals> {
  const parts = extra.parts ?? {}
  // The verifier's threads and the store's start side by side.
  const [acquiring, opening] = await Promise.allSettled([
    acquireVerifier({ mode: config.verifier, nice: config.bulkThreadNice, log: config.log }),
    parts.openStore?.(config) ??
      openStore(config.db, { log: config.log, pgPool: config.pgPool, origin: config.origin, bulkThreadNice: config.bulkThreadNice }),
  ])
  if (acquiring.status === 'rejected' || opening.status === 'rejected') {
    if (acquiring.status === 'fulfilled') await acquiring.value.close()
    if (opening.status === 'fulfilled') await opening.value.close()
    throw (opening.status === 'rejected' ? opening.reason : (acquiring as PromiseRejectedResult).reason) as Error
  }
  const verifier = parts.wrapVerifier?.(acquiring.value) ?? acquiring.value
  const store = opening.value
  const { limits } = config
  const reader = gateReads(store.reader, limits.maxQueriesInFlight)
  const wire = parts.wrapWire?.(createWire()) ?? createWire()
  let socket: WebsocketStage | undefined
  const toSocket: Inbox<OutboundMsg> = { post: (msg) => socket?.post(msg) }
  const outbox = parts.wrapOutbox?.(toSocket) ?? toSocket
  const monitor = new Monitor({ outbox, wire, limits, ...(config.origin ? { subscriptionLimitRefusal: SubscriptionLimitRefusal } : {}) })
  // A store shared by several relay processes (PostgreSQL) brings the others' events.
  store.live?.attach({
    publish: (event, commit) => monitor.post({ type: 'publish', event, commit }),
    lost: (message) => monitor.post({ type: 'lost', message }),
  })
  const writer = new Writer({ store: store.writer, monitor, limits, log: config.log })
  const reqWorker = new ReqWorker({ reader, outbox, monitor, wire, limits, log: config.log })
  const brackets = (h: string) => (h.includes(':') ? `[${h}]` : h)
  let listenAddress = `${brackets(config.host)}:${config.port}`
  // The URL AUTH events must name: the public one behind a proxy, else the address listened on.
  const relayUrl = () => (config.publicUrl ?? `http://${listenAddress}`).replace(/^http/, 'ws')
  const ingester = new Ingester({
    config,
    policy: parts.policy ?? (config.origin ? originRelayPolicy : relayPolicy)(config.skewSeconds),
    wire,
    outbox,
    writer,
    reqWorker,
    monitor,
    verifier,
    ...(store.precheck === undefined ? {} : { precheck: (event: NostrEvent) => store.precheck?.(event) ?? null }),
    ...(config.origin ? { door: nip42Door({ wire, relayUrl, clock: config.clock }) } : {}),
  })
  const stages: RelayStages = { config, store, ingester, reqWorker, monitor, writer, verifier }
  const routes = [...(extra.routes?.(stages) ?? []), ...nip11Routes(() => relayInformation(config, verifier.name))]
  // The HTTP bridge (/events, /query, /count) shares every stage with the WebSocket door.
  const bridge = bridgeRawRoutes(
    {
      config,
      ingester,
      reader,
      verifier,
      ...(parts.wrapBridge === undefined ? {} : { wrapBackend: parts.wrapBridge }),
      ...(parts.httpAuthSkips === undefined ? {} : { authSkips: parts.httpAuthSkips }),
    },
    () => listenAddress,
  )
  const rawRoutes = [...bridge, ...(extra.rawRoutes?.(stages) ?? [])]
  try {
    socket = await WebsocketStage.start({
      host: config.host,
      port: config.port,
      limits,
      maxHttpBody: MaxHttpBody,
      ingester: parts.wrapIngester?.(ingester) ?? ingester,
      monitor,
      routes,
      rawRoutes,
      log: config.log,
    })
  } catch (error) {
    await store.close()
    await verifier.close()
    throw error
  }
  const stage = socket
  const host = brackets(config.host)
  listenAddress = `${host}:${stage.port}`
  config.log(`storage: ${storeLabel(store, config.db)}; verifier: ${verifier.name}`)

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      stage.stopListening()
      // Finish what was accepted for processing, answer it, then hang up. Frames that
      // arrive meanwhile are refused with `error: relay is shutting down`.
      ingester.stop()
      await ingester.drain()
      await writer.drain()
      stage.closeAll()
      await verifier.close()
      await store.close()
    })())

  return {
    url: `ws://${host}:${stage.port}`,
    httpUrl: `http://${host}:${stage.port}`,
    port: stage.port,
    close,
    ...stages,
  }
}
