/**
 * The relays the proof of power runs the suites against, and how each is started:
 *
 * - the reference relay in origin mode, healthy or with one test fault switched on (origin profile);
 * - the independent `core` relay of test-relays/ (written blind to our code), as it is, with
 *   one single defect, or with one variation a correct relay may have (core profile);
 * - the `origin` relay of test-relays/ (built from ORIGIN-RELAY.md by another hand), as it is
 *   or with one defect (origin profile).
 *
 * Every relay runs in this process on 127.0.0.1:0, so the probe knows the clocks agree.
 */

import { type FaultInfo, type FaultName, Faults } from '../../reference-relay/test-support/faults.ts'
import { startRelay } from '../../reference-relay/src/index.ts'
import { startFaultyRelay } from '../../reference-relay/test-support/faulty-relay.ts'
import type { Profile } from '../../harness/src/types.ts'
import { ControlVariations } from './controls.ts'
import { type DefectInfo, type VariationInfo, startTestRelay, testRelayCatalog } from '../../test-relays/launch.ts'

export type RelaySpec =
  /** `profile` core runs the open default mode under the core profile (the NIP-09 cases a plain deletion needs). */
  | { kind: 'reference'; fault: FaultName | null; profile?: Profile }
  | { kind: 'independent'; defect?: string; variation?: string }
  | { kind: 'origin'; defect?: string }

export interface StartedRelay {
  url: string
  httpUrl: string
  close(): Promise<void>
}

/** A stable, unique name: `healthy`, a fault name, `core`, `core!<defect>`, `core~<variation>`. */
export function specName(spec: RelaySpec): string {
  if (spec.kind === 'reference') return `${spec.fault ?? 'healthy'}${spec.profile === 'core' ? '@core' : ''}`
  if (spec.kind === 'origin') return spec.defect !== undefined ? `origin!${spec.defect}` : 'origin'
  if (spec.defect !== undefined) return `core!${spec.defect}`
  if (spec.variation !== undefined) return `core~${spec.variation}`
  return 'core'
}

/** The reference relay and the origin test relay implement the origin extensions; the independent core relay is a core relay. */
export function profileOf(spec: RelaySpec): Profile {
  if (spec.kind === 'reference') return spec.profile ?? 'origin'
  return spec.kind === 'independent' ? 'core' : 'origin'
}

/** A relay with a defect costs the per-wait deadline on every silence it causes; a correct one gets the default. */
export function isFaulty(spec: RelaySpec): boolean {
  return spec.kind === 'reference' ? spec.fault !== null : spec.defect !== undefined
}

export function originDefects(): readonly DefectInfo[] {
  const catalog = testRelayCatalog().find((c) => c.relay === 'origin')
  if (catalog === undefined) throw new Error('test-relays has no origin relay')
  return catalog.defects
}

export function originDefectInfo(name: string): DefectInfo {
  const info = originDefects().find((d) => d.name === name)
  if (info === undefined) throw new Error(`unknown defect ${name} of the origin test relay`)
  return info
}

export async function startSpec(spec: RelaySpec): Promise<StartedRelay> {
  // The reference relay runs in the mode its profile describes (origin mode for the origin profile).
  if (spec.kind === 'reference') {
    const origin = profileOf(spec) === 'origin'
    return spec.fault ? startFaultyRelay({ host: '127.0.0.1', port: 0, origin, faults: [spec.fault] }) : startRelay({ host: '127.0.0.1', port: 0, origin })
  }
  if (spec.kind === 'origin') return startTestRelay({ relay: 'origin', ...(spec.defect !== undefined ? { defects: [spec.defect] } : {}) })
  const variations = [...(spec.variation !== undefined ? [spec.variation] : []), ...(spec.defect !== undefined ? (ControlVariations[spec.defect] ?? []) : [])]
  return startTestRelay({
    relay: 'core',
    ...(spec.defect !== undefined ? { defects: [spec.defect] } : {}),
    ...(variations.length > 0 ? { variations } : {}),
  })
}

export const AllFaults: readonly FaultName[] = Faults.map((fault) => fault.name)

/** Faults against a requirement of some profile; the others (faults.ts `unjudged`) are not asked for. */
export const JudgedFaults: readonly FaultName[] = (Faults as readonly FaultInfo[]).filter((fault) => fault.unjudged === undefined).map((fault) => fault.name as FaultName)

function coreCatalog() {
  const catalog = testRelayCatalog().find((c) => c.relay === 'core')
  if (catalog === undefined) throw new Error('test-relays has no core relay')
  return catalog
}

/**
 * The correct sibling of a core defect: the relay without the defect, with the variations
 * the defect switches on (`implies`; the NIP-42 defects imply `auth-required`). A defect is
 * caught by a case that passes on its sibling.
 */
export function siblingOf(defect: string): RelaySpec {
  const implies = defectInfo(defect).implies
  if (implies.length > 1) throw new Error(`defect ${defect} implies several variations (${implies.join(', ')}); a sibling takes one`)
  return implies[0] !== undefined ? { kind: 'independent', variation: implies[0] } : { kind: 'independent' }
}

export function independentDefects(): readonly DefectInfo[] {
  return coreCatalog().defects
}

export function independentVariations(): readonly VariationInfo[] {
  return coreCatalog().variations
}

/** Presets of the core relay (several variations at once, e.g. `all-compatible`); run like variations. */
export function independentPresets(): ReadonlyArray<{ name: string; description: string }> {
  return coreCatalog().presets
}

export function defectInfo(name: string): DefectInfo {
  const info = independentDefects().find((d) => d.name === name)
  if (info === undefined) throw new Error(`unknown defect ${name} of the core test relay`)
  return info
}
