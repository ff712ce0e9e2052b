// test-relay: start an independent test relay, or list what the relays offer.
//   exit 0: listed, or relay stopped by SIGINT/SIGTERM; 1: could not start; 2: usage error.
import { parseArgs } from 'node:util'
import { startTestRelay, testRelayCatalog, testRelays, TestRelayOptionError, type TestRelayName } from './launch.ts'
import type { RelayCatalog } from './catalog.ts'

const usage = `usage: npm run test-relay -- <relay> [--vary a,b] [--defect x] [--host H] [--port N] [--auth-key HEX,...]
       npm run test-relay -- --list [--json]

Starts an independent test relay (relays: ${Object.keys(testRelays).join(', ')}) and prints
"listening ws://HOST:PORT" once it accepts connections. Stop it with Ctrl-C (SIGINT) or SIGTERM.

  --vary a,b       variations or presets to switch on (see --list)
  --defect x,y     defects to switch on (see --list)
  --host H         interface to listen on (default 127.0.0.1)
  --port N         port (default 0: a free port)
  --auth-key K,... pubkeys allowed to act after NIP-42 AUTH (needs the auth-required variation)
  --list           list relays, variations, presets and defects
  --json           with --list: print the catalog as JSON
  --help           this text

exit codes: 0 listed or stopped cleanly, 1 could not start, 2 usage error`

const splitList = (values: string[] | undefined): string[] =>
  (values ?? []).flatMap((value) => value.split(',')).map((item) => item.trim()).filter((item) => item !== '')

function printCatalog(catalogs: RelayCatalog[]): void {
  for (const catalog of catalogs) {
    console.log(`relay ${catalog.relay}: ${catalog.description}\n\nvariations:`)
    for (const v of catalog.variations) console.log(`  ${v.name.padEnd(24)} ${v.description}`)
    console.log('\npresets:')
    for (const p of catalog.presets) console.log(`  ${p.name.padEnd(24)} ${p.variations.join(', ')}`)
    console.log('\ndefects:')
    for (const d of catalog.defects) console.log(`  ${d.name.padEnd(30)} [${d.area}, ${d.level}] ${d.description}`)
    console.log('')
  }
}

function fail(message: string, code: number): never {
  console.error(`error: ${message}`)
  process.exit(code)
}

async function main(): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        vary: { type: 'string', multiple: true },
        defect: { type: 'string', multiple: true },
        host: { type: 'string' },
        port: { type: 'string' },
        'auth-key': { type: 'string', multiple: true },
        list: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`, 2)
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(usage)
    return
  }
  if (values.list) {
    const catalogs = testRelayCatalog()
    if (values.json) console.log(JSON.stringify({ relays: catalogs }, null, 2))
    else printCatalog(catalogs)
    return
  }
  if (values.json) fail('--json goes with --list', 2)
  const [relay, ...extra] = positionals
  if (relay === undefined) fail(`name a relay (${Object.keys(testRelays).join(', ')})\n${usage}`, 2)
  if (extra.length > 0) fail(`unexpected arguments: ${extra.join(' ')}`, 2)
  if (!(relay in testRelays)) fail(`unknown relay "${relay}"; valid: ${Object.keys(testRelays).join(', ')}`, 2)
  let port = 0
  if (values.port !== undefined) {
    port = Number(values.port)
    if (!/^\d+$/.test(values.port) || port > 65535) fail(`--port ${values.port} is not a port number`, 2)
  }
  let running
  try {
    running = await startTestRelay({
      relay: relay as TestRelayName,
      variations: splitList(values.vary),
      defects: splitList(values.defect),
      host: values.host ?? '127.0.0.1',
      port,
      authKeys: splitList(values['auth-key']),
    })
  } catch (error) {
    if (error instanceof TestRelayOptionError) fail(error.message, 2)
    fail(`could not start: ${(error as Error).message}`, 1)
  }
  console.log(`listening ${running.url}`)
  const stop = (): void => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

// A closed pipe (`--list | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

await main()
