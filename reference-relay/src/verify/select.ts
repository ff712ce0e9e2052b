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
  /** Steps nicer the worker threads run (RelayOptions.bulkThreadNice; default 0). */
  nice?: number
  log: (line: string) => void
}

export async function startVerifier(selection: VerifierSelection): Promise<Verifier> {
  const { mode = 'pool', log } = selection
  if (mode === 'main') return new PureVerifier()
  // The ingester checks every id before verification (hasValidIdFast), so the workers
  // check signatures only.
  const options: PoolOptions = { backend: mode === 'pool-js' ? 'js' : 'auto', checkIds: false }
  if (selection.size !== undefined) options.size = selection.size
  if (selection.nice !== undefined) options.nice = selection.nice
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

interface Shared {
  verifier: Promise<Verifier>
  users: number
  idle: NodeJS.Timeout | undefined
}

const shared = new Map<string, Shared>()

/** How long an unused shared pool stays up, so relays started one after another reuse it. */
const SharedIdleMs = 3_000

/**
 * The verifier for one relay. Worker pools are shared by every relay of the process (they
 * compete for the same cores anyway, and tests start many relays); each relay gets a
 * handle whose `close` releases its share, and the pool stops once nobody has used it for
 * a few seconds. Its worker threads never keep the process alive.
 */
export async function acquireVerifier(selection: VerifierSelection): Promise<Verifier> {
  const mode = selection.mode ?? 'pool'
  if (mode === 'main') return new PureVerifier()
  const key = `${mode}/${selection.size ?? 'cores'}/nice ${selection.nice ?? 0}`
  let entry = shared.get(key)
  if (entry === undefined) {
    entry = { verifier: startVerifier(selection), users: 0, idle: undefined }
    shared.set(key, entry)
  }
  const held = entry
  held.users += 1
  if (held.idle !== undefined) clearTimeout(held.idle)
  held.idle = undefined
  const verifier = await held.verifier
  let released = false
  return {
    name: verifier.name,
    verify: (events) => verifier.verify(events),
    close: async () => {
      if (released) return
      released = true
      held.users -= 1
      if (held.users > 0) return
      held.idle = setTimeout(() => {
        if (held.users > 0 || shared.get(key) !== held) return
        shared.delete(key)
        void verifier.close()
      }, SharedIdleMs)
      held.idle.unref()
    },
  }
}
