/**
 * `npm run test:pg-cluster`: the conformance suite's core profile against relay instance A
 * while instance B, on the same PostgreSQL database, takes a steady stream of writes
 * (persona versions, ties, notes and deletions of another author). A throwaway cluster is
 * started and removed; both relays are stopped at the end, also on failure.
 *
 *   npm run test:pg-cluster [-- --only PATTERN ...] [--out DIR]   (report: DIR, default a temp dir)
 *
 * Exit code: the conformance run's (0: every core case passed), or 1 when a write on B was
 * not answered as expected or a part could not start.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { deletion, newKey, nowSeconds, persona, sign, TestClient } from '../reference-relay/test/helpers.ts'
import { startCluster } from '../reference-relay/test-support/postgres-cluster.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const log = (line: string) => process.stderr.write(`pg-cluster: ${line}\n`)

function startRelay(url: string, name: string): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'reference-relay/src/main.ts', '--port', '0', '--quiet', '--pg', url], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d) => {
      out += d
      const match = /listening (ws:\/\/\S+)\n/.exec(out)
      if (match?.[1]) resolve({ child, url: match[1], stop })
    })
    void exited.then(() => reject(new Error(`relay ${name} exited before listening`)))
  })
}

/** Writes to B until stopped; every answer must be OK true (stored, or a tie's `duplicate:`). */
async function writeSteadily(url: string, stopped: () => boolean): Promise<{ sent: number; unexpected: string[] }> {
  const client = await TestClient.connect(url, { waitMs: 30_000 })
  const key = newKey()
  const unexpected: string[] = []
  let sent = 0
  try {
    for (let i = 0; !stopped(); i++) {
      const now = nowSeconds()
      const event =
        i % 10 === 9
          ? deletion(key, [['a', `30175:${key.pk}:slug-${i % 7}`]], now)
          : i % 2 === 0
            ? persona(key, `slug-${i % 7}`, now)
            : sign(key, { kind: 1, content: `background ${i}` })
      const answer = await client.publish(event)
      sent += 1
      // A deletion covers later-sent versions of its second too: `blocked:` is expected then.
      if (!answer.accepted && !answer.message.startsWith('blocked: ')) unexpected.push(`${event.kind}: ${answer.message}`)
    }
  } finally {
    client.close()
  }
  return { sent, unexpected }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) {
    process.stdout.write(
      'usage: npm run test:pg-cluster -- [--only PATTERN]... [--out DIR]\n' +
        'The core profile against relay instance A while instance B, on the same throwaway PostgreSQL\n' +
        'database, takes steady writes. Report in DIR (default: a temp dir). Exit code: the run\'s, or 1.\n',
    )
    return 0
  }
  const out = values.out ?? mkdtempSync(path.join(tmpdir(), 'nip-ap-pg-cluster-'))
  const cluster = await startCluster()
  const relays: Array<{ stop(): Promise<void> }> = []
  try {
    const url = await cluster.createDatabase('cluster')
    const [a, b] = await Promise.all([startRelay(url, 'A'), startRelay(url, 'B')])
    relays.push(a, b)
    log(`PostgreSQL ${cluster.version}; instance A ${a.url}, instance B ${b.url} (B takes background writes)`)
    let done = false
    const writing = writeSteadily(b.url, () => done)
    const args = ['--import', 'tsx', 'harness/src/cli.ts', 'run', a.url, '--profile', 'core', '--name', 'reference relay on PostgreSQL (instance A of 2)', '--out', out]
    for (const pattern of values.only ?? []) args.push('--only', pattern)
    const conformance = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' })
    const code = await new Promise<number>((resolve) => conformance.once('exit', (c) => resolve(c ?? 1)))
    done = true
    const { sent, unexpected } = await writing
    log(`background writes on B: ${sent} events, ${unexpected.length} unexpected answers${unexpected.length > 0 ? `: ${unexpected.slice(0, 5).join('; ')}` : ''}`)
    log(`conformance exit code ${code}; report in ${out}`)
    if (sent === 0 || unexpected.length > 0) return 1
    return code
  } finally {
    await Promise.allSettled(relays.map((r) => r.stop()))
    await cluster.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${(error as Error).stack ?? String(error)}`)
    process.exit(1)
  },
)
