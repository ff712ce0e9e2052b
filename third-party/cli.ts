/**
 * `npm run third-party -- NAME` starts one third-party relay and prints its URL until
 * Ctrl-C; `--list` lists the hosts. Exit codes: 0 ok, 1 the relay failed, 2 usage.
 */

import { parseArgs } from 'node:util'
import { findRelayHost, relayHosts } from './registry.ts'
import type { HostedRelay } from './types.ts'

const usage = `usage: npm run third-party -- [--json] NAME | --list [--json] | --help

Starts the third-party relay NAME on 127.0.0.1 (a free port) in a child process, prints
its URL and its logs, and stops it on Ctrl-C.

  --list   list the relays that can be hosted
  --json   print JSON instead of text
  --help   show this help`

function printList(json: boolean): void {
  if (json) {
    const list = relayHosts.map(({ start: _start, ...info }) => info)
    console.log(JSON.stringify(list, null, 2))
    return
  }
  for (const host of relayHosts) {
    console.log(`${host.name.padEnd(12)} ${`${host.package}@${host.version}`.padEnd(26)} ${host.homepage}`)
  }
}

function printStarted(relay: HostedRelay, json: boolean): void {
  const { name, url, httpUrl, version, pid } = relay
  if (json) console.log(JSON.stringify({ name, url, httpUrl, version, pid }))
  else console.log(`${name} ${version} listening on ${url}${httpUrl ? ` (HTTP ${httpUrl})` : ''}; Ctrl-C stops it`)
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { list: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    allowPositionals: true,
  })
  const json = values.json ?? false
  if (values.help) {
    console.log(usage)
    return 0
  }
  if (values.list) {
    printList(json)
    return 0
  }
  const [name, ...extra] = positionals
  if (name === undefined || extra.length > 0) {
    console.error(usage)
    return 2
  }
  const host = findRelayHost(name)
  if (!host) {
    console.error(`unknown relay ${name}; known: ${relayHosts.map((h) => h.name).join(', ')}`)
    return 2
  }
  const relay = await host.start({ echo: true })
  printStarted(relay, json)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await relay.close()
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  },
)
