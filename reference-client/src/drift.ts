/** Drift: does the persona an agent pinned still match the persona as it is now? */

import { viewPersona } from './persona.ts'
import type { PersonaRead } from './store/index.ts'

export type Drift = 'up-to-date' | 'out-of-date' | 'orphaned'

export type LiveVersion =
  | { status: 'present'; version: string; event_id: string }
  | { status: 'gone'; reason: 'missing' | 'deleted' | 'unreadable'; message: string }

export function liveVersionOf(read: PersonaRead): LiveVersion {
  switch (read.status) {
    case 'present': {
      // An invalid body at the head makes the persona invalid; older versions are never used (AP-READ-5).
      const view = viewPersona(read.event)
      if (!view.ok) return { status: 'gone', reason: 'unreadable', message: `the current head ${read.event.id} has an invalid body (${view.message})` }
      return { status: 'present', version: view.version, event_id: read.event.id }
    }
    case 'deleted':
      return { status: 'gone', reason: 'deleted', message: `the persona was deleted (${read.deletion.id})` }
    case 'missing':
      return { status: 'gone', reason: 'missing', message: 'no such persona' }
    case 'corrupt':
      return { status: 'gone', reason: 'unreadable', message: read.message }
  }
}

/**
 * A gone persona is orphaned, never out of date: there is nothing to respawn into.
 * Otherwise the pinned persona_source_version is compared with the current hash.
 */
export function driftOf(pinnedVersion: string, live: LiveVersion): Drift {
  if (live.status === 'gone') return 'orphaned'
  return live.version === pinnedVersion ? 'up-to-date' : 'out-of-date'
}
