// The core test relay as the host sees it: a catalog and a starter.
import { TestRelayOptionError, type RelayCatalog, type StartOptions, type TestRelayEntry } from '../catalog.ts'
import { defects, type DefectName } from './defects.ts'
import { isHex64 } from './event.ts'
import { faultSet } from './faults.ts'
import type { CoreConfig } from './relay.ts'
import { startCoreServer } from './server.ts'
import { defaultSettings, type Settings } from './settings.ts'
import { presets, variations, type Variation } from './variations.ts'

const describe = (names: readonly string[]): string => names.join(', ')

function expandVariations(names: readonly string[]): Variation[] {
  const chosen = new Map<string, Variation>()
  for (const name of names) {
    const preset = presets.find((p) => p.name === name)
    for (const member of preset?.variations ?? [name]) {
      const variation = variations.find((v) => v.name === member)
      if (variation === undefined) {
        const valid = [...variations.map((v) => v.name), ...presets.map((p) => p.name)]
        throw new TestRelayOptionError(`unknown variation "${member}" for relay core; valid: ${describe(valid)}`)
      }
      chosen.set(variation.name, variation)
    }
  }
  return [...chosen.values()]
}

/** Merge the settings of the chosen variations, refusing any two that disagree. */
export function settingsFor(chosen: readonly Variation[]): Settings {
  const setBy = new Map<string, { name: string; value: string }>()
  for (const variation of chosen) {
    for (const other of variation.conflictsWith) {
      if (chosen.some((v) => v.name === other))
        throw new TestRelayOptionError(`variations "${variation.name}" and "${other}" cannot be combined`)
    }
    for (const [key, value] of Object.entries(variation.settings)) {
      const previous = setBy.get(key)
      const encoded = JSON.stringify(value)
      if (previous !== undefined && previous.value !== encoded)
        throw new TestRelayOptionError(`variations "${previous.name}" and "${variation.name}" cannot be combined (both set ${key})`)
      setBy.set(key, { name: variation.name, value: encoded })
    }
  }
  return Object.assign({}, defaultSettings, ...chosen.map((v) => v.settings)) as Settings
}

function defectNames(names: readonly string[]): DefectName[] {
  return names.map((name) => {
    const defect = defects.find((d) => d.name === name)
    if (defect === undefined)
      throw new TestRelayOptionError(`unknown defect "${name}" for relay core; valid: ${describe(defects.map((d) => d.name))}`)
    return defect.name
  })
}

export function coreConfig(options: StartOptions): CoreConfig {
  const chosenDefects = defectNames(options.defects ?? [])
  const implied = chosenDefects.flatMap((name) => defects.find((d) => d.name === name)?.implies ?? [])
  const settings = settingsFor(expandVariations([...(options.variations ?? []), ...implied]))
  let authKeys: ReadonlySet<string> | null = null
  if (options.authKeys !== undefined && options.authKeys.length > 0) {
    if (!settings.auth) throw new TestRelayOptionError('authKeys need the auth-required variation')
    const bad = options.authKeys.find((key) => !isHex64(key))
    if (bad !== undefined) throw new TestRelayOptionError(`auth key "${bad}" is not 64 lowercase hex characters`)
    authKeys = new Set(options.authKeys)
  }
  return { settings, faults: faultSet(chosenDefects), authKeys }
}

export const coreRelay: TestRelayEntry = {
  catalog(): RelayCatalog {
    return {
      relay: 'core',
      description:
        'An in-memory NIP-01/09/11/45 relay with the NIP-AP persona rules, written blind to the project\'s reference relay and suites.',
      variations: variations.map(({ settings: _settings, ...info }) => info),
      presets,
      defects,
    }
  },
  async start(options) {
    const config = coreConfig(options)
    if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535))
      throw new TestRelayOptionError(`port ${options.port} is not between 0 and 65535`)
    return startCoreServer(config, options.host ?? '127.0.0.1', options.port ?? 0)
  },
}
