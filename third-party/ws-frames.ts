/**
 * A minimal NIP-01 frame reader for the host tests and smoke checks: one socket, frames
 * parsed as they arrive, every wait bounded by a deadline. (The conformance harness has
 * its own driver with transcripts; this one only proves a hosted relay is alive.)
 */

import WebSocket from 'ws'

export type Frame = unknown[]

interface Waiter {
  match: (frame: Frame) => boolean
  resolve: (frame: Frame) => void
}

export class FrameSocket {
  private readonly frames: Frame[] = []
  private readonly waiters: Waiter[] = []

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(data.toString())
      } catch {
        return
      }
      if (!Array.isArray(parsed)) return
      this.frames.push(parsed)
      for (const waiter of [...this.waiters]) {
        if (waiter.match(parsed)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1)
          waiter.resolve(parsed)
        }
      }
    })
  }

  static open(url: string, timeoutMs: number): Promise<FrameSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const timer = setTimeout(() => {
        socket.terminate()
        reject(new Error(`error: no WebSocket connection to ${url} within ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('open', () => {
        clearTimeout(timer)
        resolve(new FrameSocket(socket))
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  }

  send(frame: Frame): void {
    this.socket.send(JSON.stringify(frame))
  }

  /** Every frame received so far, in order. */
  received(): Frame[] {
    return [...this.frames]
  }

  /** The first frame (already received or still to come) that `match` accepts. */
  waitFor(match: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame> {
    const seen = this.frames.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (frame) => {
          clearTimeout(timer)
          resolve(frame)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new Error(`error: no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.terminate(), 2_000)
      this.socket.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.socket.close()
    })
  }
}
