#!/usr/bin/env node
// Entry point of the `persona-conformance` bin: registers tsx so the TypeScript sources
// run as they are, then hands the arguments to the CLI.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../harness/src/cli.ts')
process.exitCode = await main(process.argv.slice(2))
