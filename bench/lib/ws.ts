/** A thin NIP-01 client over `ws` for the generators: connect, send, frames to a handler. */

import WebSocket from 'ws'

export type Frame = unknown[]

export function connect(url: string, onFrame: (frame: Frame) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 })
    ws.on('message', (data) => onFrame(JSON.parse(data.toString()) as Frame))
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** Like connect, but hands over raw frames (for generators that must not parse every one). */
export function connectRaw(url: string, onData: (data: Buffer) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 })
    ws.on('message', (data) => onData(data as Buffer))
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

export function closeAll(sockets: readonly WebSocket[]): void {
  for (const ws of sockets) ws.terminate()
}
