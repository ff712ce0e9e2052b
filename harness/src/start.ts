// `npm start`: the full conformance suite against the embedded reference relay, reports in
// reports/latest/. Extra arguments go to `run` (e.g. `npm start -- --only slug`).
import { main } from './cli.ts'

process.exitCode = await main(['run', ...process.argv.slice(2)])
