/**
 * Signature verification behind one async, batched interface, so a later stage can move it
 * to worker threads (or a faster backend) without touching the ingester.
 */

import { type NostrEvent, verifyEventSignature } from '../../spec/model/event.ts'

export interface Verifier {
  /** Which implementation runs; logged at startup. */
  readonly name: string
  /**
   * One boolean per event, in order: true when the BIP-340 signature over the id is valid.
   * Callers check ids first (the ingester does); an implementation may check them again.
   */
  verify(events: readonly NostrEvent[]): Promise<boolean[]>
  close(): Promise<void>
}

/** nostr-tools' pure-JS verification on the event loop: the reference answer. */
export class PureVerifier implements Verifier {
  readonly name = 'nostr-tools/pure (main thread)'

  async verify(events: readonly NostrEvent[]): Promise<boolean[]> {
    return events.map((event) => verifyEventSignature(event))
  }

  async close(): Promise<void> {}
}
