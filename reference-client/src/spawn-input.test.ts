import { describe, expect, test } from 'vitest'
import { checkSpawnInput, MaxAgentBytes, MaxEntryBytes } from './spawn-input.ts'

describe('what can be given to a child process', () => {
  test('ordinary values pass', () => {
    expect(checkSpawnInput({ PERSONA_SYSTEM_PROMPT: 'Review code.\nTwice.', API_TOKEN: 'é' }, 'exec agent')).toEqual({ ok: true })
  })

  test('a NUL byte anywhere is refused with the field it came from', () => {
    expect(checkSpawnInput({ PERSONA_SYSTEM_PROMPT: 'a\0b' }, 'x')).toEqual({
      ok: false,
      message: "invalid: PERSONA_SYSTEM_PROMPT (the persona's system_prompt) contains a NUL byte, which no environment variable can hold",
    })
    expect(checkSpawnInput({ TOKEN: 'a\0' }, 'x')).toMatchObject({ ok: false, message: expect.stringContaining('env var TOKEN contains a NUL byte') })
    expect(checkSpawnInput({ 'A\0B': 'v' }, 'x').ok).toBe(false)
    expect(checkSpawnInput({ 'A=B': 'v' }, 'x').ok).toBe(false)
    expect(checkSpawnInput({}, 'exec\0x')).toEqual({ ok: false, message: 'invalid: the agent command contains a NUL byte' })
  })

  test('one entry may take MaxEntryBytes with its NUL and no more; the total is bounded too', () => {
    const fits = 'x'.repeat(MaxEntryBytes - 'K='.length - 1)
    expect(checkSpawnInput({ K: fits }, 'x')).toEqual({ ok: true })
    expect(checkSpawnInput({ K: `${fits}x` }, 'x')).toMatchObject({ ok: false, message: expect.stringMatching(/^invalid: env var K is 131073 bytes/) })
    // multi-byte characters count as bytes
    expect(checkSpawnInput({ K: 'é'.repeat(MaxEntryBytes / 2) }, 'x').ok).toBe(false)
    const many = Object.fromEntries(Array.from({ length: Math.ceil(MaxAgentBytes / 100_000) }, (_, i) => [`K${i}`, 'x'.repeat(100_000)]))
    expect(checkSpawnInput(many, 'x')).toMatchObject({ ok: false, message: expect.stringContaining(`over the ${MaxAgentBytes} the client allows`) })
    expect(checkSpawnInput({}, 'x'.repeat(MaxEntryBytes))).toMatchObject({ ok: false, message: expect.stringContaining('the agent command is') })
  })
})
