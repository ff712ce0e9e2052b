// Shapes shared by every test relay: how a relay describes its variations and defects,
// and how the host starts one. Kept free of any relay's code so a new relay only has to
// fill these in.

/** A sentence quoted verbatim from a text (markdown as in the source). */
export interface Citation {
  readonly text: string
  readonly quote: string
}

/** A behaviour the texts permit that a correct relay may have. */
export interface VariationInfo {
  readonly name: string
  readonly description: string
  /**
   * `permitted`: a sentence of a text allows it. `reading`: the texts are silent or
   * ambiguous and the variation rests on one reading of them (see the description).
   */
  readonly basis: 'permitted' | 'reading'
  readonly permittedBy: readonly Citation[]
  readonly conflictsWith: readonly string[]
}

/** A realistic single bug that breaks a requirement of a named text. */
export interface DefectInfo {
  readonly name: string
  readonly area: string
  readonly description: string
  /**
   * The keyword of the broken sentence. `definition`: the sentence defines the message or
   * field without a MUST or SHOULD, so a suite may report the defect at its own level.
   */
  readonly level: 'MUST' | 'SHOULD' | 'definition'
  readonly breaks: readonly Citation[]
  /** Variations switched on with the defect because it only shows under them. */
  readonly implies: readonly string[]
}

export interface PresetInfo {
  readonly name: string
  readonly description: string
  readonly variations: readonly string[]
}

export interface RelayCatalog {
  readonly relay: string
  readonly description: string
  readonly variations: readonly VariationInfo[]
  readonly presets: readonly PresetInfo[]
  readonly defects: readonly DefectInfo[]
}

export interface StartOptions {
  /** Variation or preset names. */
  variations?: readonly string[]
  defects?: readonly string[]
  host?: string
  /** 0 (the default) picks a free port. */
  port?: number
  /** Pubkeys (64 lowercase hex) allowed to act after NIP-42 AUTH; needs an auth variation. */
  authKeys?: readonly string[]
}

export interface RunningTestRelay {
  /** ws://host:port */
  readonly url: string
  /** http://host:port */
  readonly httpUrl: string
  close(): Promise<void>
}

export interface TestRelayEntry {
  catalog(): RelayCatalog
  start(options: StartOptions): Promise<RunningTestRelay>
}

/** A bad name or option given to a starter; the CLI turns it into exit code 2. */
export class TestRelayOptionError extends Error {
  override readonly name = 'TestRelayOptionError'
}
