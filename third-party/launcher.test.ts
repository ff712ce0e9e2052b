import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { formatReadyLine, parseReadyLine } from './child.ts'
import * as failing from './fixtures/failing-host.ts'
import * as plain from './fixtures/plain-host.ts'
import * as silent from './fixtures/silent-host.ts'
import * as stubborn from './fixtures/stubborn-host.ts'

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitUntilGone(pid: number, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs
  while (Date.now() < end) {
    if (!isAlive(pid)) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return !isAlive(pid)
}

describe('ready line', () => {
  test('round-trips a port and rejects anything but loopback ws URLs', () => {
    expect(parseReadyLine(formatReadyLine(4869))).toBe('ws://127.0.0.1:4869')
    expect(parseReadyLine('listening ws://0.0.0.0:4869')).toBeNull()
    expect(parseReadyLine('GUN relay server running on port 4869')).toBeNull()
  })
})

describe('launcher', () => {
  test('starts a host in a child process and stops it on close', async () => {
    const relay = await plain.start()
    expect(relay.pid).not.toBe(process.pid)
    expect(isAlive(relay.pid)).toBe(true)
    await relay.close()
    expect(isAlive(relay.pid)).toBe(false)
  })

  test('kills a child that ignores SIGTERM once the close deadline passes', async () => {
    const relay = await stubborn.start({ closeTimeoutMs: 200 })
    await relay.close()
    expect(isAlive(relay.pid)).toBe(false)
  })

  test('rejects with the child output when the relay fails to start', async () => {
    await expect(failing.start()).rejects.toThrow(/fixture-failing relay did not start[\s\S]*refuses to start/)
  })

  test('rejects and kills the child when no listening line comes before the deadline', async () => {
    await expect(silent.start({ startTimeoutMs: 1_500 })).rejects.toThrow(/fixture-silent relay did not start: no listening line/)
  })

  test('a child whose launcher dies without closing it exits by itself', async () => {
    const parentScript = fileURLToPath(new URL('./fixtures/orphaning-parent.ts', import.meta.url))
    const parent = spawn(process.execPath, ['--import', 'tsx', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] })
    const childPid = await new Promise<number>((resolve, reject) => {
      parent.once('exit', (code) => reject(new Error(`orphaning parent exited early (code ${code})`)))
      createInterface({ input: parent.stdout }).on('line', (line) => {
        const match = /^child (\d+)$/.exec(line)
        if (match?.[1]) resolve(Number(match[1]))
      })
    })
    parent.removeAllListeners('exit')
    expect(isAlive(childPid)).toBe(true)
    parent.kill('SIGKILL')
    expect(await waitUntilGone(childPid, 10_000)).toBe(true)
  })
})
