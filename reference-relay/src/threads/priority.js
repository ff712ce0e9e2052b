// Thread priority for the relay's bulk threads (signature checks, the SQLite writer and its
// checkpointer). Plain JavaScript so that verify/worker.js, which runs without a loader,
// can import it too; types in priority.d.ts.
//
// Linux keeps a nice value per thread, and os.setPriority(0, n) sets the calling thread's.
// A bulk thread a few steps nicer than the socket and reader threads lets the scheduler
// run a REQ's read and its answer first when the cores are short, which is what keeps one
// connection's flood of EVENTs from stretching another connection's REQ latency; with idle
// cores it changes nothing. Elsewhere the call would lower the whole process, so it is
// skipped.

import { getPriority, setPriority } from 'node:os'

/** Makes the calling thread `steps` nicer (capped at 19); returns the nice value it runs at, or null when not applied. */
export function lowerThisThread(steps) {
  if (process.platform !== 'linux' || !(steps > 0)) return null
  const nice = Math.min(19, getPriority() + Math.floor(steps))
  try {
    setPriority(nice)
    return nice
  } catch {
    return null
  }
}
