/**
 * The relays of the published matrix, in report order: the reference relay first, then
 * every host of third-party/registry.ts. Adding a host to the registry adds it here.
 */

import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Profile } from '../../harness/src/types.ts'
import { relayHosts } from '../../third-party/registry.ts'

const require = createRequire(import.meta.url)
const { version } = require('../../package.json') as { version: string }

/** Where each third-party relay's known failures live, relative to the repository. */
export const ExpectationsDir = 'reports/matrix/expectations'

export interface StartedRelay {
  /** Omitted: the embedded reference relay (the harness starts it in process). */
  url?: string
  httpUrl?: string
  close(): Promise<void>
}

export interface MatrixEntry {
  name: string
  /** Package and version shown beside the name. */
  software: string
  /** The reference relay must pass every case and has no expectations file. */
  reference: boolean
  /** Repository-relative path of the expectations file (third-party relays only). */
  expectationsFile?: string
  /** The profile run against it (default: origin for the embedded relay, core for a URL). */
  profile?: Profile
  start(): Promise<StartedRelay>
}

export function expectationsPath(name: string): string {
  return join(ExpectationsDir, `${name}.json`)
}

export function matrixEntries(): MatrixEntry[] {
  // The reference relay twice: its origin mode under the origin profile, its open default mode under core.
  const reference: MatrixEntry = {
    name: 'embedded',
    software: `reference-relay ${version} (this repository), origin mode, in memory`,
    reference: true,
    profile: 'origin',
    start: () => Promise.resolve({ close: () => Promise.resolve() }),
  }
  const referenceCore: MatrixEntry = {
    name: 'embedded-core',
    software: `reference-relay ${version} (this repository), open mode, in memory`,
    reference: true,
    profile: 'core',
    start: () => Promise.resolve({ close: () => Promise.resolve() }),
  }
  const thirdParty = relayHosts.map(
    (host): MatrixEntry => ({
      name: host.name,
      software: `${host.package} ${host.version}`,
      reference: false,
      expectationsFile: expectationsPath(host.name),
      start: async () => {
        const relay = await host.start()
        return { url: relay.url, ...(relay.httpUrl ? { httpUrl: relay.httpUrl } : {}), close: () => relay.close() }
      },
    }),
  )
  return [reference, referenceCore, ...thirdParty]
}
