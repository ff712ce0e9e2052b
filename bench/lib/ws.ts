/**
 * Connections for the load generators. Ingest, REQ and flood generators speak NIP-01
 * through the project's one client (lib/nip01), reading every frame as it arrives (the
 * buffer is trimmed as they go: a generator keeps no frames). Two generators use raw `ws`
 * sockets instead: the fan-out subscribers, which must not parse each of their million
 * frames (PERFORMANCE.md, "Load generators", has the measurement), and the slow readers,
 * which stop reading their TCP socket (a transport trick lib/nip01 has no switch for).
 */

import WebSocket from 'ws'
import { Nip01Connection } from '../../lib/nip01/connection.ts'
import type { Frame } from '../../lib/nip01/frames.ts'

export type { Frame }

export interface Connection {
  send(text: string): void
  /** Resolves when the socket has closed, with the code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>
  close(): void
}

export async function connect(url: string, onFrame: (frame: Frame) => void): Promise<Connection> {
  let connection: Nip01Connection | undefined
  connection = await Nip01Connection.open(url, {
    label: 'bench',
    timeoutMs: 60_000,
    maxPayload: 64 * 1024 * 1024,
    observe: (event) => {
      if (event.type !== 'recv' || event.frame === null) return
      // Drops the frames before this one: nothing waits on the buffer here.
      connection?.trim()
      onFrame(event.frame)
    },
  })
  const opened = connection
  return { send: (text) => opened.sendText(text), closed: opened.closed, close: () => void opened.close() }
}

/** A raw socket handing over each frame's bytes unparsed. */
export function connectRaw(url: string, onData: (data: Buffer) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 })
    ws.on('message', (data) => onData(data as Buffer))
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

export function closeAll(connections: ReadonlyArray<Connection | WebSocket>): void {
  for (const c of connections) {
    if (c instanceof WebSocket) c.terminate()
    else c.close()
  }
}
