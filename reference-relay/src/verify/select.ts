/**
 * Picks the verifier the relay runs: the worker pool with the fastest backend that loads
 * (bcrypto's libsecp256k1), else the pool with pure-JS @noble/curves, else nostr-tools on
 * the main thread. Every step down is logged loudly, because it costs a large factor of
 * ingest throughput; the chosen name also appears in NIP-11 `software`.
 */

import { PureVerifier, type Verifier } from '../verifier.ts'
import { type PoolOptions, WorkerPoolVerifier } from './pool.ts'

/**
 * `pool`: worker threads, fastest backend (default). `pool-js`: worker threads, pure JS.
 * `main`: nostr-tools on the event loop (the reference answer; small test relays).
 */
export type VerifierMode = 'pool' | 'pool-js' | 'main'

export const VerifierModes: readonly VerifierMode[] = ['pool', 'pool-js', 'main']

export function isVerifierMode(value: string): value is VerifierMode {
  return (VerifierModes as readonly string[]).includes(value)
}

export interface VerifierSelection {
  mode?: VerifierMode
  /** Worker threads; default the number of cores. */
  size?: number
  log: (line: string) => void
}

export async function startVerifier(selection: VerifierSelection): Promise<Verifier> {
  const { mode = 'pool', log } = selection
  if (mode === 'main') return new PureVerifier()
  const options: PoolOptions = { backend: mode === 'pool-js' ? 'js' : 'auto' }
  if (selection.size !== undefined) options.size = selection.size
  let pool: WorkerPoolVerifier
  try {
    pool = await WorkerPoolVerifier.start(options)
  } catch (error) {
    log(
      `WARNING: verifier worker threads did not start (${(error as Error).message}); ` +
        'signatures are verified on the main thread with nostr-tools, far slower',
    )
    return new PureVerifier()
  }
  const { fallbackReason } = pool.report
  if (mode === 'pool' && fallbackReason !== null) {
    log(
      `WARNING: native signature verification is not running (${fallbackReason}); ` +
        `using ${pool.report.backend}, several times slower. Rebuild it with \`npm rebuild bcrypto\`.`,
    )
  }
  return pool
}
