/**
 * Command line: `npm run relay -- [--host H] [--port P] [--db FILE|URL | --pg URL | --memory]
 * [--pg-pool N] [--skew S] [--public-url URL] [--http-auth nip98|none] [--verifier MODE]
 * [--bulk-nice N] [--origin]`. Prints
 * `listening ws://HOST:PORT` when ready.
 */

import { parseArgs } from 'node:util'
import { type RelayOptions, resolveConfig } from './config.ts'
import { createRelay } from './relay.ts'
import { isPgUrl, redactPgUrl } from './storage/pg-store.ts'
import { isVerifierMode, VerifierModes } from './verify/select.ts'

const Usage = `Usage: npm run relay -- [options]

  --host HOST          address to bind (default 127.0.0.1)
  --port PORT          port to bind; 0 picks a free one (default 7777)
  --db FILE            SQLite database file (WAL mode); a postgres:// URL means --pg
  --pg URL             PostgreSQL database (postgres://USER:PASS@HOST:PORT/DB, or
                       ?host=/socket/dir; ?schema=NAME picks a schema): several relay
                       processes on one database act as one relay
  --pg-pool N          PostgreSQL reader connections per process (default 8)
  --memory             keep events in memory only (the default without --db or --pg)
  --skew SECONDS       clock window, symmetric (default 900)
  --public-url URL     public origin for NIP-98 \`u\` checks behind a proxy
  --http-auth MODE     HTTP bridge auth: nip98 (default) or none
  --verifier MODE      signature checks: pool (worker threads, native libsecp256k1
                       when it loads; default), pool-js (worker threads, pure JS) or
                       main (nostr-tools on the event loop); env NIP_AP_VERIFIER too
  --bulk-nice N        the signature and SQLite writer threads run N steps nicer than
                       the socket and reader threads, so reads go first when the cores
                       are short (0-19, default 10; 0: all alike; Linux only;
                       an embedded relay's default is 0)
  --origin             behave as the origin relay (the \`origin\` profile): NIP-42 AUTH
                       required on every connection, one key per connection, the
                       origin's rules and texts (default: an open relay, the \`core\` profile);
                       on every storage, and a --db or --pg database keeps the mode it
                       was first opened in
  --quiet              no log lines on stderr
  -h, --help           show this help

Prints "listening ws://HOST:PORT" on stdout once ready; SIGINT/SIGTERM finish pending
writes, close connections and the database, then exit.`

/** The relay as its own process owns its cores: reads go before bulk work (RelayOptions.bulkThreadNice). */
const CliBulkThreadNice = 10

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${Usage}\n`)
  process.exit(2)
}

function parseOptions(argv: string[]): { options: RelayOptions; quiet: boolean } {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        pg: { type: 'string' },
        'pg-pool': { type: 'string' },
        memory: { type: 'boolean' },
        skew: { type: 'string' },
        'public-url': { type: 'string' },
        'http-auth': { type: 'string' },
        verifier: { type: 'string' },
        'bulk-nice': { type: 'string' },
        origin: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    fail(`error: ${(error as Error).message}`)
  }
  if (values.help) {
    process.stdout.write(`${Usage}\n`)
    process.exit(0)
  }
  if (values.db !== undefined && values.memory) fail('error: --db and --memory exclude each other')
  if (values.pg !== undefined && (values.db !== undefined || values.memory)) fail('error: --pg excludes --db and --memory')
  if (values.pg !== undefined && !isPgUrl(values.pg)) fail(`error: --pg must be a postgres:// or postgresql:// URL, got "${redactPgUrl(values.pg)}"`)
  const integer = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined
    if (!/^\d+$/.test(text)) fail(`error: --${name} must be a non-negative integer, got "${text}"`)
    return Number(text)
  }
  const httpAuth = values['http-auth']
  if (httpAuth !== undefined && httpAuth !== 'nip98' && httpAuth !== 'none') {
    fail(`error: --http-auth must be nip98 or none, got "${httpAuth}"`)
  }
  const verifier = values.verifier
  if (verifier !== undefined && !isVerifierMode(verifier)) {
    fail(`error: --verifier must be one of ${VerifierModes.join(', ')}, got "${verifier}"`)
  }
  const options: RelayOptions = {}
  if (verifier !== undefined) options.verifier = verifier
  if (values.host !== undefined) options.host = values.host
  const port = integer('port', values.port)
  if (port !== undefined) options.port = port
  if (values.db !== undefined) options.db = values.db
  if (values.pg !== undefined) options.db = values.pg
  const pgPool = integer('pg-pool', values['pg-pool'])
  if (pgPool !== undefined) {
    if (pgPool < 1) fail('error: --pg-pool must be at least 1')
    options.pgPool = pgPool
  }
  const bulkNice = integer('bulk-nice', values['bulk-nice']) ?? CliBulkThreadNice
  if (bulkNice > 19) fail('error: --bulk-nice must be from 0 to 19')
  options.bulkThreadNice = bulkNice
  const skew = integer('skew', values.skew)
  if (skew !== undefined) options.skewSeconds = skew
  if (values['public-url'] !== undefined) options.publicUrl = values['public-url']
  if (httpAuth !== undefined) options.httpAuth = httpAuth
  if (values.origin) options.origin = true
  return { options, quiet: values.quiet ?? false }
}

async function main(): Promise<void> {
  const { options, quiet } = parseOptions(process.argv.slice(2))
  // Warnings (a slow fallback verifier, for one) are printed even with --quiet.
  options.log = (line) => {
    if (!quiet || line.startsWith('WARNING')) process.stderr.write(`${line}\n`)
  }
  let relay
  try {
    relay = await createRelay(resolveConfig(options))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(1)
  }
  process.stdout.write(`listening ${relay.url}\n`)
  const running = relay
  const shutdown = (signal: string) => {
    options.log?.(`${signal}: closing`)
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error: shutdown failed: ${(error as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
}

void main()
