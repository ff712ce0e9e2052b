/**
 * Collects a request body chunk by chunk under a byte limit. uWebSockets.js lends each
 * chunk only for the duration of its callback, so every chunk is copied.
 */

import { formatReason } from '../../../spec/model/reasons.ts'
import { errorReply, type HttpReply } from './responses.ts'

/** 1 MiB: the most one bridge request may carry. */
export const MaxBodyBytes = 1_048_576

export function tooLargeReply(limit: number = MaxBodyBytes): HttpReply {
  return errorReply(413, formatReason('invalid', `request body exceeds ${limit} bytes`))
}

/** True when a Content-Length header already announces a body over the limit. */
export function announcesTooLarge(contentLength: string | undefined, limit: number = MaxBodyBytes): boolean {
  if (contentLength === undefined || !/^\d+$/.test(contentLength.trim())) return false
  return Number(contentLength.trim()) > limit
}

export class BodyCollector {
  private readonly chunks: Uint8Array[] = []
  private size = 0

  constructor(readonly limit: number = MaxBodyBytes) {}

  get bytes(): number {
    return this.size
  }

  /** Copies one chunk in; false once the body is over the limit (the rest is not kept). */
  push(chunk: ArrayBuffer | Uint8Array): boolean {
    const view = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk)
    this.size += view.byteLength
    if (this.size > this.limit) return false
    if (view.byteLength > 0) this.chunks.push(view.slice())
    return true
  }

  /** The whole body in one buffer. */
  body(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0] as Uint8Array
    const out = new Uint8Array(this.size)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.byteLength
    }
    return out
  }
}
