#!/usr/bin/env node
// The `persona` CLI (reference-client/src/cli.ts), run through tsx's loader.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../reference-client/src/cli.ts')
process.exitCode = await main(process.argv.slice(2))
