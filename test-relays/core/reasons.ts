// One place that turns a reason into the text of an OK or CLOSED message.
import type { Faults } from './faults.ts'
import type { Settings } from './settings.ts'

export type Prefix =
  | 'duplicate'
  | 'invalid'
  | 'blocked'
  | 'restricted'
  | 'error'
  | 'auth-required'
  | 'unsupported'

export interface Reason {
  readonly prefix: Prefix
  readonly text: string
}

export interface Voice {
  /** Message of an OK false or a CLOSED. */
  refusal(reason: Reason, frame: 'OK' | 'CLOSED'): string
  /** Message of an OK true: empty, or a `duplicate:` note. */
  acknowledgement(note: Reason | null): string
}

export function voice(settings: Settings, faults: Faults): Voice {
  const join = (prefix: string, text: string): string =>
    settings.spaceAfterColon ? `${prefix}: ${text}` : `${prefix}:${text}`
  return {
    refusal(reason, frame) {
      if (frame === 'OK' && faults.has('ok-no-prefix')) return reason.text
      if (frame === 'CLOSED' && faults.has('closed-no-prefix')) return reason.text
      let prefix: string = reason.prefix
      if (prefix !== 'auth-required' && settings.refusalPrefix !== 'standard') prefix = settings.refusalPrefix
      return join(prefix, reason.text)
    },
    acknowledgement(note) {
      if (note === null || !settings.duplicateNotes) return ''
      return settings.spaceAfterColon ? join(note.prefix, note.text) : `${note.prefix}:`
    },
  }
}
