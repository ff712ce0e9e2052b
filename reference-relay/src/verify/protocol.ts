/**
 * The verifier workers' jobs (worker.js), inside the envelope of threads/protocol.ts. The
 * pool never terminates a busy verifier worker: bcrypto aborts the process when its thread
 * is torn down inside a native call, so workers end by message, between jobs.
 */

/** Which BIP-340 implementation a worker loads: the fastest that works, or pure JS. */
export type BackendPreference = 'auto' | 'js'

/** What the pool passes as `workerData`. */
export interface WorkerSettings {
  backend: BackendPreference
  /** Steps nicer the worker runs (threads/priority.js). */
  nice: number
}

/** One slice of a batch. */
export interface VerifyJob {
  /** Per event, concatenated: id (64 hex), sig (128 hex), pubkey (64 hex). */
  keys: string
  /** Per event, the NIP-01 serialization whose sha256 must equal the id; null: trust the id. */
  serialized: string[] | null
}

export const HexPerEvent = 64 + 128 + 64

/** One byte per event of the job: 1 valid, 0 not. */
export type Verdicts = Uint8Array

/** What a worker says when it is ready. */
export interface VerifierInfo {
  backend: string
  native: boolean
  fallbackReason: string | null
}
