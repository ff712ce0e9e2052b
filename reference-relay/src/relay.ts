/** Assembles the stages into a running relay and takes it down in order. */

import type { RelayConfig } from './config.ts'
import { createFaultState } from './fault-state.ts'
import { bridgeRawRoutes } from './http/setup.ts'
import { Ingester } from './ingester.ts'
import type { Inbox, OutboundMsg } from './messages.ts'
import { Monitor } from './monitor.ts'
import { nip11Routes, relayInformation } from './nip11.ts'
import { ReqWorker } from './req-worker.ts'
import type { EventStore } from './storage/event-store.ts'
import { openStore } from './storage/open-store.ts'
import type { Verifier } from './verifier.ts'
import { acquireVerifier } from './verify/select.ts'
import { type HttpRoute, type RawHttpHandler, WebsocketStage } from './websocket.ts'
import { createWire } from './wire.ts'
import { Writer } from './writer.ts'

export interface RunningRelay {
  url: string
  httpUrl: string
  port: number
  close(): Promise<void>
}

/** The stages, for tests and for doors added beside the WebSocket (the HTTP bridge). */
export interface RelayStages {
  config: RelayConfig
  store: EventStore
  ingester: Ingester
  reqWorker: ReqWorker
  monitor: Monitor
  writer: Writer
  verifier: Verifier
}

/** Internals a test or a later stage may reach; not part of the embedding contract. */
export interface RelayInternals extends RunningRelay, RelayStages {}

export interface RelayExtensions {
  /** Plain-data HTTP routes (served through websocket.ts). */
  routes?: (stages: RelayStages) => HttpRoute[]
  /** Handlers that drive uWS responses themselves, registered with `any(pattern)`. */
  rawRoutes?: (stages: RelayStages) => Array<[pattern: string, handler: RawHttpHandler]>
}

export const MaxHttpBody = 1024 * 1024

export async function createRelay(
  config: RelayConfig,
  extra: RelayExtensions = {},
): Promise<RelayInternals> {
  const verifier: Verifier = await acquireVerifier({ mode: config.verifier, log: config.log })
  let store: EventStore
  try {
    store = openStore(config.db)
  } catch (error) {
    await verifier.close()
    throw error
  }
  const wire = createWire(config.faults)
  const faultState = createFaultState()
  let socket: WebsocketStage | undefined
  const outbox: Inbox<OutboundMsg> = { post: (msg) => socket?.post(msg) }
  const monitor = new Monitor({ outbox, wire, faults: config.faults })
  const writer = new Writer({ store, monitor, faults: config.faults, faultState, log: config.log })
  const reqWorker = new ReqWorker({ store, outbox, monitor, wire, limits: config.limits, faults: config.faults, faultState })
  const ingester = new Ingester({
    config,
    wire,
    outbox,
    writer,
    reqWorker,
    monitor,
    verifier,
    precheck: (event) => writer.precheck(event),
  })
  const stages: RelayStages = { config, store, ingester, reqWorker, monitor, writer, verifier }
  const routes = [...(extra.routes?.(stages) ?? []), ...nip11Routes(() => relayInformation(config, verifier.name))]
  // The HTTP bridge (/events, /query, /count) shares every stage with the WebSocket door.
  const brackets = (h: string) => (h.includes(':') ? `[${h}]` : h)
  let listenAddress = `${brackets(config.host)}:${config.port}`
  const rawRoutes = [...bridgeRawRoutes(stages, () => listenAddress), ...(extra.rawRoutes?.(stages) ?? [])]
  try {
    socket = await WebsocketStage.start({
      host: config.host,
      port: config.port,
      limits: config.limits,
      maxHttpBody: MaxHttpBody,
      ingester,
      monitor,
      routes,
      rawRoutes,
      log: config.log,
    })
  } catch (error) {
    store.close()
    await verifier.close()
    throw error
  }
  const stage = socket
  const host = brackets(config.host)
  listenAddress = `${host}:${stage.port}`
  config.log(`storage: ${store.backend}${config.db ? ` (${config.db})` : ''}; verifier: ${verifier.name}`)

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
      store.close()
    })())

  return {
    url: `ws://${host}:${stage.port}`,
    httpUrl: `http://${host}:${stage.port}`,
    port: stage.port,
    close,
    ...stages,
  }
}
