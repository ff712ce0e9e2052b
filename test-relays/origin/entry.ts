// The origin relay as the test-relay host (test-relays/launch.ts) sees it: a catalog and a starter.
import { TestRelayOptionError, type DefectInfo, type RelayCatalog, type TestRelayEntry } from '../catalog.ts'
import { ORIGIN_DEFECTS } from './defects.ts'
import { startOriginRelay } from './index.ts'

const defectNames = ORIGIN_DEFECTS.map((d) => d.id)

const defects: DefectInfo[] = ORIGIN_DEFECTS.map((d) => ({
  name: d.id,
  area: d.section,
  // A defect the origin profile asks nothing about says so where the kill table shows it.
  description: 'notRequired' in d ? `${d.behaviour} (not an origin requirement: ${d.notRequired})` : d.behaviour,
  // ORIGIN-RELAY.md describes what the origin does; it has no MUST or SHOULD.
  level: 'definition',
  breaks: [{ text: `ORIGIN-RELAY.md ${d.section}`, quote: d.rule }],
  implies: [],
}))

export const originRelay: TestRelayEntry = {
  catalog(): RelayCatalog {
    return {
      relay: 'origin',
      description:
        'An in-memory relay that behaves like the relay NIP-AP came from, as /work/shared/ORIGIN-RELAY.md describes it (NIP-42 always on, the origin texts, threads, HTTP bridge); written blind to the project\'s relay and suites.',
      variations: [],
      presets: [],
      defects,
    }
  },
  async start(options) {
    if ((options.variations ?? []).length > 0) {
      throw new TestRelayOptionError(`relay origin has no variations (asked for ${(options.variations ?? []).join(', ')})`)
    }
    if ((options.authKeys ?? []).length > 0) {
      throw new TestRelayOptionError('relay origin lets every key act after NIP-42 AUTH; --auth-key does not apply')
    }
    for (const name of options.defects ?? []) {
      if (!defectNames.includes(name as never)) {
        throw new TestRelayOptionError(`unknown defect "${name}" for relay origin; valid: ${defectNames.join(', ')}`)
      }
    }
    if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
      throw new TestRelayOptionError(`port ${options.port} is not between 0 and 65535`)
    }
    return startOriginRelay({
      defects: [...(options.defects ?? [])],
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    })
  },
}
