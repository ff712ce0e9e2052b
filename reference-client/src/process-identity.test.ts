import { spawn } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { isSameProcess, processStartIdentity } from './process-identity.ts'

describe('process identity', () => {
  test('a live process has a stable identity; another process has another; a dead pid has none', async () => {
    const mine = processStartIdentity(process.pid)
    expect(mine).not.toBeNull()
    expect(processStartIdentity(process.pid)).toBe(mine)
    const child = spawn('sleep', ['30'], { stdio: 'ignore' })
    const pid = child.pid as number
    const theirs = processStartIdentity(pid)
    expect(theirs).not.toBeNull()
    expect(theirs).not.toBe(mine)
    expect(isSameProcess(pid, theirs)).toBe(true)
    // the same number with another recorded start is a stranger
    expect(isSameProcess(pid, mine)).toBe(false)
    expect(isSameProcess(pid, null)).toBe(false)
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    expect(processStartIdentity(pid)).toBeNull()
    expect(isSameProcess(pid, theirs)).toBe(false)
    expect(processStartIdentity(null)).toBeNull()
    expect(processStartIdentity(-1)).toBeNull()
  })
})
