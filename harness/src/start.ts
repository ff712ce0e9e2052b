// `npm start`: the full conformance suite against the embedded reference relay, twice: the
// origin profile against its origin mode (reports in reports/latest/), then the core profile
// against its default open mode (reports in reports/latest/core/). Extra arguments go to both
// runs (e.g. `npm start -- --only slug`); with --profile or a relay URL it is one plain `run`.
import { main } from './cli.ts'

const args = process.argv.slice(2)
const single = args.some((arg) => arg === '--profile' || arg.startsWith('--profile=') || /^wss?:\/\//i.test(arg))

process.exitCode = single ? await main(['run', ...args]) : await both(args)

async function both(args: string[]): Promise<number> {
  const outAt = args.findIndex((arg) => arg === '--out')
  const out = outAt >= 0 ? (args[outAt + 1] ?? 'reports/latest') : 'reports/latest'
  const rest = outAt >= 0 ? [...args.slice(0, outAt), ...args.slice(outAt + 2)] : args
  const origin = await main(['run', '--profile', 'origin', '--out', out, ...rest])
  if (origin === 2) return origin
  const core = await main(['run', '--profile', 'core', '--out', `${out}/core`, ...rest])
  return origin !== 0 ? origin : core
}
