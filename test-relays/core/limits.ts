// The limits the relay enforces, which the NIP-11 document advertises from the settings.
import type { Faults } from './faults.ts'
import type { Settings } from './settings.ts'

export interface EnforcedLimits {
  readonly maxEventTags: number
  readonly maxContentLength: number
  readonly maxSubscriptions: number
  readonly maxSubidLength: number
}

export function enforcedLimits(settings: Settings, faults: Faults): EnforcedLimits {
  if (faults.has('limits-not-enforced')) {
    return { maxEventTags: Infinity, maxContentLength: Infinity, maxSubscriptions: Infinity, maxSubidLength: Infinity }
  }
  if (faults.has('limits-stricter')) {
    return {
      maxEventTags: Math.min(settings.maxEventTags, 20),
      maxContentLength: Math.min(settings.maxContentLength, 8196),
      maxSubscriptions: Math.min(settings.maxSubscriptions, 8),
      maxSubidLength: settings.maxSubidLength,
    }
  }
  return {
    maxEventTags: settings.maxEventTags,
    maxContentLength: settings.maxContentLength,
    maxSubscriptions: settings.maxSubscriptions,
    maxSubidLength: settings.maxSubidLength,
  }
}
