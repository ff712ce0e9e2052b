import { createRequire } from 'node:module'
import { describe, expect, test } from 'vitest'
import { assertNativeUws } from './websocket.ts'

describe('assertNativeUws', () => {
  test('accepts the module as loaded here (the native binary)', () => {
    expect(() => assertNativeUws()).not.toThrow()
  })

  test('refuses the package\'s JavaScript fallback with a clear message', () => {
    const require = createRequire(import.meta.url)
    const fallback = require('uWebSockets.js/dist/index.js') as unknown
    expect(() => assertNativeUws(fallback)).toThrow(/did not load its native binary/)
  })

  test('refuses anything without a native App', () => {
    expect(() => assertNativeUws({ App: () => ({}), getParts: () => [] })).toThrow(/native binary/)
    expect(() => assertNativeUws({})).toThrow(/native binary/)
  })
})
