/**
 * Runs the suite against each matrix entry in turn: start the relay, run, stop it. A relay
 * is stopped whatever happens (failed run, thrown error, Ctrl-C), and one relay that does
 * not start does not stop the others.
 */

import type { RunOptions, RunResult } from '../../harness/src/run.ts'
import type { Report } from '../../harness/src/types.ts'
import type { MatrixEntry, StartedRelay } from './targets.ts'

export interface EntryResult {
  entry: MatrixEntry
  /** Absent when the relay did not start or the run threw. */
  report?: Report
  /** Why there is no report. */
  error?: string
  durationMs: number
}

export type RunOne = (options: RunOptions) => Promise<RunResult>

export interface OrchestrateOptions {
  entries: readonly MatrixEntry[]
  /** Settings shared by every run (seed, strictness, timeouts). */
  run: Omit<RunOptions, 'url' | 'httpUrl' | 'name' | 'out' | 'expectationsFile'>
  /** Directory of the raw per-relay reports: `<rawDir>/<name>/`. */
  rawDir: string
  /** Expectations files are read from here (the repository root). */
  expectationsFileOf?: (entry: MatrixEntry) => string | undefined
  runOne: RunOne
  onStart?: (entry: MatrixEntry) => void
  onDone?: (result: EntryResult) => void
}

/** Relays running right now; closed by `stopRunning` on a signal. */
const running = new Set<StartedRelay>()

export async function stopRunning(): Promise<void> {
  await Promise.allSettled([...running].map((relay) => relay.close()))
  running.clear()
}

export async function orchestrate(options: OrchestrateOptions): Promise<EntryResult[]> {
  const results: EntryResult[] = []
  for (const entry of options.entries) {
    options.onStart?.(entry)
    const started = Date.now()
    const result = await runEntry(entry, options)
    const done = { ...result, durationMs: Date.now() - started }
    results.push(done)
    options.onDone?.(done)
  }
  return results
}

async function runEntry(entry: MatrixEntry, options: OrchestrateOptions): Promise<Omit<EntryResult, 'durationMs'>> {
  let relay: StartedRelay
  try {
    relay = await entry.start()
  } catch (error) {
    return { entry, error: `error: ${entry.name} did not start: ${(error as Error).message}` }
  }
  running.add(relay)
  try {
    const expectationsFile = (options.expectationsFileOf ?? ((e) => e.expectationsFile))(entry)
    const { report } = await options.runOne({
      ...options.run,
      ...(relay.url ? { url: relay.url } : {}),
      ...(relay.httpUrl ? { httpUrl: relay.httpUrl } : {}),
      ...(expectationsFile ? { expectationsFile } : {}),
      ...(entry.profile ? { profile: entry.profile } : {}),
      name: entry.name,
      out: `${options.rawDir}/${entry.name}`,
    })
    return { entry, report }
  } catch (error) {
    return { entry, error: `error: the run against ${entry.name} failed: ${(error as Error).message}` }
  } finally {
    running.delete(relay)
    await relay.close()
  }
}
