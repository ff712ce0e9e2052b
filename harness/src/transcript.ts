/** The per-case log of every frame and HTTP exchange, bounded so reports stay readable. */

import type { TranscriptDirection, TranscriptEntry } from './types.ts'

/** Longest frame text kept verbatim; longer frames are cut with a marker. */
export const TranscriptFrameLimit = 4096
/** Most entries kept per case; later ones are counted in `dropped`. */
export const TranscriptEntryLimit = 400

export class Transcript {
  readonly entries: TranscriptEntry[] = []
  dropped = 0
  private started = Date.now()

  record(dir: TranscriptDirection, conn: string, text: string): void {
    if (this.entries.length >= TranscriptEntryLimit) {
      this.dropped += 1
      return
    }
    this.entries.push({ t: Date.now() - this.started, dir, conn, text: clip(text) })
  }

  note(text: string): void {
    this.record('note', '-', text)
  }

  /** A copy of what was recorded so far (a property keeps the transcript of its last failing run). */
  snapshot(): { entries: TranscriptEntry[]; dropped: number } {
    return { entries: [...this.entries], dropped: this.dropped }
  }

  /** Puts back a snapshot. */
  restore(snapshot: { entries: TranscriptEntry[]; dropped: number }): void {
    this.entries.length = 0
    this.entries.push(...snapshot.entries)
    this.dropped = snapshot.dropped
  }

  /** Starts over (property cases keep only the transcript of the run that matters). */
  reset(): void {
    this.entries.length = 0
    this.dropped = 0
    this.started = Date.now()
  }
}

function clip(text: string): string {
  if (text.length <= TranscriptFrameLimit) return text
  return `${text.slice(0, TranscriptFrameLimit)}… [${text.length - TranscriptFrameLimit} more chars]`
}
