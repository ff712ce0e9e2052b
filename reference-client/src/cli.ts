/**
 * `persona`: the reference client's command line. `main(argv, io)` runs one command and
 * resolves to its exit code; tests call it in-process with their own io.
 */

import { pathToFileURL } from 'node:url'
import { ArgsError, didYouMean, packageVersion, parseOptions, takeCommandWords, wantsVersion } from '../../lib/cli/args.ts'
import { CommandGroups, Commands, type CommandSpec, findCommand, GlobalOptionSpecs, GlobalOptionsHelp } from './cli/commands.ts'
import { CommandContext, type GlobalOptions } from './cli/context.ts'
import { ExitCode, ExitCodeTable } from './cli/exit-codes.ts'
import { CliFailure, type CliIo, processIo } from './cli/io.ts'
import { DefaultTimeoutMs, type TransportName } from './relay-types.ts'

function overviewHelp(): string {
  const width = Math.max(...Commands.map((c) => c.name.length))
  return [
    'persona: publish NIP-AP agent personas (kind 30175) and run agents pinned to them',
    '',
    'Usage: persona COMMAND [ARGS] [OPTIONS]',
    '',
    'Commands:',
    ...Commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    GlobalOptionsHelp,
    '',
    ExitCodeTable,
    '',
    'Run `persona COMMAND --help` for the options of one command.',
  ].join('\n')
}

function groupHelp(group: string): string {
  const members = Commands.filter((c) => c.name.startsWith(`${group} `))
  return [`Usage: persona ${group} SUBCOMMAND`, '', ...members.map((c) => `  ${c.usage}\n      ${c.summary}`), '', GlobalOptionsHelp, '', ExitCodeTable].join('\n')
}

function commandHelp(spec: CommandSpec): string {
  return [`Usage: ${spec.usage}`, '', spec.summary, ...(spec.details ? ['', spec.details] : []), '', GlobalOptionsHelp, '', ExitCodeTable].join('\n')
}

function usageError(io: CliIo, json: boolean, message: string, help: string): number {
  if (json) io.stdout(`${JSON.stringify({ ok: false, error: message, exit_code: ExitCode.usage }, null, 2)}\n`)
  io.stderr(`${message}\n\n${help}\n`)
  return ExitCode.usage
}

function globalOptionsOf(values: Record<string, unknown>, env: Record<string, string | undefined>): GlobalOptions | string {
  const transport = (values.transport as string | undefined) ?? env.PERSONA_TRANSPORT ?? 'ws'
  if (transport !== 'ws' && transport !== 'http') return `usage: --transport must be ws or http (got ${transport})`
  const timeoutText = values.timeout as string | undefined
  const timeoutMs = timeoutText === undefined ? DefaultTimeoutMs : Number(timeoutText)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return `usage: --timeout takes a positive number of milliseconds (got ${timeoutText})`
  const relay = (values.relay as string | undefined) ?? env.PERSONA_RELAY
  return {
    json: values.json === true,
    relay: relay === undefined || relay === '' ? null : relay,
    transport: transport as TransportName,
    timeoutMs,
  }
}

const isGroup = (word: string | undefined): boolean => (CommandGroups as readonly string[]).includes(word ?? '')

/** Every option of every command: which ones take a value, wherever they stand. */
const AnyCommandOptions = Object.assign({}, ...Commands.map((c) => c.options), GlobalOptionSpecs) as typeof GlobalOptionSpecs

/** The first words of the commands: groups and ungrouped command names. */
const TopLevelWords = [...new Set(Commands.map((c) => c.name.split(' ')[0] as string))]

/** What is wrong with a command's arguments when there are too few or too many of them. */
function positionalCountError(spec: CommandSpec, positionals: readonly string[]): string {
  const { min, max } = spec.positionals
  if (positionals.length < min) return `usage: missing argument (${spec.usage})`
  const extra = positionals.slice(max).map((word) => JSON.stringify(word))
  const takes = max === 0 ? 'takes no arguments' : `takes at most ${max} argument${max === 1 ? '' : 's'}`
  return `usage: unexpected argument${extra.length === 1 ? '' : 's'} ${extra.join(' ')}: persona ${spec.name} ${takes} (${spec.usage})`
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const wantsJson = argv.includes('--json')
  // Global options may stand before or after the command words: `persona --relay URL ls`.
  const { words, rest } = takeCommandWords(argv, AnyCommandOptions, (taken) => taken.length >= (isGroup(taken[0]) ? 2 : 1))
  const wantsHelp = rest.includes('--help') || rest.includes('-h')
  if (wantsVersion(rest) && !wantsHelp) {
    io.stdout(wantsJson ? `${JSON.stringify({ ok: true, version: packageVersion() }, null, 2)}\n` : `persona ${packageVersion()}\n`)
    return ExitCode.ok
  }
  const [first, second] = words
  if (first === undefined || first === 'help') {
    const help = overviewHelp()
    if (first === undefined && !wantsHelp) return usageError(io, wantsJson, 'usage: no command given', help)
    io.stdout(`${help}\n`)
    return ExitCode.ok
  }
  if (isGroup(first) && second === undefined) {
    if (wantsHelp) {
      io.stdout(`${groupHelp(first)}\n`)
      return ExitCode.ok
    }
    return usageError(io, wantsJson, `usage: persona ${first} needs a subcommand`, groupHelp(first))
  }
  const name = isGroup(first) ? `${first} ${second}` : first
  const spec = findCommand(name)
  if (spec === undefined) {
    const known = isGroup(first) ? Commands.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name) : TopLevelWords
    const written = isGroup(first) ? name : first
    return usageError(io, wantsJson, `usage: unknown command ${JSON.stringify(written)}${didYouMean(written, known)}`, isGroup(first) ? groupHelp(first) : overviewHelp())
  }

  let values: Record<string, unknown>
  let positionals: string[]
  try {
    const parsed = parseOptions(rest, { ...GlobalOptionSpecs, ...spec.options })
    values = parsed.values as Record<string, unknown>
    positionals = parsed.positionals
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error
    return usageError(io, wantsJson, `usage: ${error.message}`, commandHelp(spec))
  }
  if (values.help === true) {
    io.stdout(`${commandHelp(spec)}\n`)
    return ExitCode.ok
  }
  if (positionals.length < spec.positionals.min || positionals.length > spec.positionals.max) {
    return usageError(io, wantsJson, positionalCountError(spec, positionals), commandHelp(spec))
  }
  const options = globalOptionsOf(values, io.env)
  if (typeof options === 'string') return usageError(io, wantsJson, options, commandHelp(spec))

  const ctx = new CommandContext(io, options)
  try {
    return await spec.run(ctx, values, positionals)
  } catch (error) {
    const failure = error instanceof CliFailure ? error : new CliFailure(ExitCode.error, `error: ${error instanceof Error ? error.message : String(error)}`)
    if (options.json) io.stdout(`${JSON.stringify({ ok: false, error: failure.message, exit_code: failure.code, ...failure.details }, null, 2)}\n`)
    io.stderr(`${failure.message}\n`)
    return failure.code
  } finally {
    await ctx.close()
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = ExitCode.error
    },
  )
}
