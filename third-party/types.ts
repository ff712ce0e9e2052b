/** Shapes shared by the third-party launcher, the host modules and their callers. */

/** A third-party relay running in its own child process on 127.0.0.1. */
export interface HostedRelay {
  /** Registry name of the host, e.g. `nostr-relay`. */
  name: string
  /** WebSocket URL, `ws://127.0.0.1:PORT`. */
  url: string
  /** Same port over HTTP, present only when the relay serves HTTP itself (NIP-11). */
  httpUrl?: string
  /** Version of the relay package actually installed. */
  version: string
  /** Process id of the child that runs the relay. */
  pid: number
  /** The last lines the child wrote to stdout and stderr (logs, crash-guard reports). */
  logs(): string[]
  /** Stops the child: SIGTERM, then SIGKILL after the close deadline. Idempotent. */
  close(): Promise<void>
}

export interface StartOptions {
  /** Deadline for the child to print its `listening` line (default 20 s). */
  startTimeoutMs?: number
  /** Time the child gets after SIGTERM before SIGKILL (default 5 s). */
  closeTimeoutMs?: number
  /** Copy the child's output to this process's stderr as it arrives (the CLI does). */
  echo?: boolean
}

/** What the registry says about one host: enough to cite it in a report. */
export interface HostInfo {
  /** Short name used on the command line and in reports. */
  name: string
  /** The npm package that is the relay. */
  package: string
  /** The version this project pins (package.json devDependencies and the lock file). */
  version: string
  homepage: string
  /** True when the relay answers plain HTTP on its port (NIP-11 document). */
  servesHttp: boolean
  /** How the host runs it and what we saw it do; seeds the expectations files. */
  notes: string[]
}

export interface RelayHost extends HostInfo {
  start(options?: StartOptions): Promise<HostedRelay>
}

/** What a host's child-side `serve` function hands back once its server is listening. */
export interface ServingRelay {
  port: number
  close(): Promise<void>
}
