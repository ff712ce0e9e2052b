/** Messages between the verifier pool (pool.ts) and its worker threads (worker.js). */

/** Which BIP-340 implementation a worker loads: the fastest that works, or pure JS. */
export type BackendPreference = 'auto' | 'js'

/** What the pool passes as `workerData`. */
export interface WorkerSettings {
  backend: BackendPreference
}

/** pool → worker: one slice of a batch. */
export interface VerifyJob {
  type: 'verify'
  job: number
  /** Per event, concatenated: id (64 hex), sig (128 hex), pubkey (64 hex). */
  keys: string
  /** Per event, the NIP-01 serialization whose sha256 must equal the id; null: trust the id. */
  serialized: string[] | null
}

/**
 * pool → worker: end the thread once the jobs before this one are answered. The pool never
 * uses Worker.terminate on a busy worker: bcrypto aborts the process when its thread is torn
 * down inside a native call.
 */
export interface ExitRequest {
  type: 'exit'
  code: number
}

export type PoolMessage = VerifyJob | ExitRequest

export const HexPerEvent = 64 + 128 + 64

/** worker → pool */
export type WorkerReply =
  | { type: 'ready'; backend: string; native: boolean; fallbackReason: string | null }
  /** One byte per event of the job: 1 valid, 0 not. */
  | { type: 'verdicts'; job: number; verdicts: Uint8Array }
