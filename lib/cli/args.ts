/**
 * Command-line conventions shared by the project's CLIs (`persona-conformance`, `persona`):
 * options may stand before, between or after the command words; a mistyped command or
 * option gets the nearest known one suggested; `--version` prints the package version.
 * Parsing itself is node:util `parseArgs` (strict). Messages carry no prefix: each CLI adds
 * its own (`error:`, `usage:`).
 */

import { createRequire } from 'node:module'
import { type ParseArgsConfig, parseArgs } from 'node:util'

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>

/** A command line that does not fit the command's options; `message` says how and suggests. */
export class ArgsError extends Error {
  override name = 'ArgsError'
}

/** Edit distance counting an adjacent transposition as one edit (`lsit` → `list` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      ;(d[i] as number[])[j] = best
    }
  }
  return at(a.length, b.length)
}

/**
 * The candidate a mistyped word most likely meant: the closest within a third of the word's
 * length (at least one edit), or the only candidate the word is a prefix of.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(1, Math.floor(word.length / 3))
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate)
    if (distance < bestDistance || (distance === bestDistance && best === undefined)) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best !== undefined) return best
  const extending = candidates.filter((c) => word.length >= 2 && c.startsWith(word))
  return extending.length === 1 ? extending[0] : undefined
}

/** ` (did you mean X?)` when a candidate is near, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = nearest(word, candidates)
  return guess === undefined ? '' : ` (did you mean ${guess}?)`
}

function optionName(token: string): string | undefined {
  if (token.startsWith('--') && token.length > 2) return token.slice(2).split('=')[0]
  return undefined
}

/** True when `token` is an option that takes its value from the next argument. */
function takesNextValue(token: string, options: OptionSpecs): boolean {
  const long = optionName(token)
  if (long !== undefined) return !token.includes('=') && options[long]?.type === 'string'
  if (/^-[A-Za-z]$/.test(token)) return Object.values(options).some((o) => o.short === token.slice(1) && o.type === 'string')
  return false
}

/**
 * Takes the command words out of argv wherever options stand around them: the first
 * arguments that are neither options nor the values of string options in `options`, as
 * many as `complete` asks for. Everything else stays in `rest`, in order; after `--`
 * nothing is a command word.
 */
export function takeCommandWords(
  argv: readonly string[],
  options: OptionSpecs,
  complete: (words: readonly string[]) => boolean,
): { words: string[]; rest: string[] } {
  const words: string[] = []
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string
    if (token === '--') {
      rest.push(...argv.slice(i))
      break
    }
    if (token.startsWith('-') && token !== '-') {
      rest.push(token)
      if (takesNextValue(token, options) && i + 1 < argv.length) rest.push(argv[++i] as string)
    } else if (!complete(words)) {
      words.push(token)
    } else {
      rest.push(token)
    }
  }
  return { words, rest }
}

/**
 * parseArgs in strict mode with positionals, except that an unknown option is reported with
 * the nearest known one, and every failure is an ArgsError.
 */
export function parseOptions<const T extends OptionSpecs>(args: readonly string[], options: T) {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true })
  for (const token of tokens) {
    if (token.kind !== 'option' || Object.hasOwn(options, token.name)) continue
    const known = Object.keys(options).map((name) => `--${name}`)
    throw new ArgsError(`unknown option ${token.rawName}${didYouMean(token.rawName, known)}`)
  }
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new ArgsError((error as Error).message)
  }
}

/** The version of this package (package.json at the repository or package root). */
export function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version
}

/** True when the arguments before any `--` ask for the version. */
export function wantsVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).includes('--version')
}
