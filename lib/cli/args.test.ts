import { describe, expect, test } from 'vitest'
import { ArgsError, didYouMean, editDistance, nearest, type OptionSpecs, packageVersion, parseOptions, takeCommandWords, wantsVersion } from './args.ts'

describe('editDistance and nearest', () => {
  test.each([
    ['list', 'list', 0],
    ['lsit', 'list', 1],
    ['lst', 'list', 1],
    ['coverag', 'coverage', 1],
    ['run', 'replay', 5],
    ['', 'ls', 2],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
  })

  const commands = ['run', 'list', 'coverage', 'matrix', 'replay']
  test.each([
    ['lsit', 'list'],
    ['rn', 'run'],
    ['covrage', 'coverage'],
    ['matirx', 'matrix'],
    ['cov', 'coverage'],
    ['--relya', '--relay'],
  ])('%s suggests %s', (typo, meant) => {
    expect(nearest(typo, [...commands, '--relay', '--json'])).toBe(meant)
  })

  test.each(['publish', 'x', 'zzzzzz'])('%s is too far from every command to guess', (word) => {
    expect(nearest(word, commands)).toBeUndefined()
    expect(didYouMean(word, commands)).toBe('')
  })

  test('didYouMean phrases the guess', () => {
    expect(didYouMean('lst', commands)).toBe(' (did you mean list?)')
  })
})

describe('takeCommandWords', () => {
  const options: OptionSpecs = { relay: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string', short: 't' } }
  const one = (words: readonly string[]) => words.length >= 1
  const group = (words: readonly string[]) => words.length >= (words[0] === 'agent' ? 2 : 1)

  test.each([
    [['--relay', 'ws://r', 'ls'], ['ls'], ['--relay', 'ws://r']],
    [['ls', '--relay', 'ws://r'], ['ls'], ['--relay', 'ws://r']],
    [['--json', 'get', 'slug', '--relay=ws://r'], ['get'], ['--json', 'slug', '--relay=ws://r']],
    [['-t', '900', 'get', 'slug'], ['get'], ['-t', '900', 'slug']],
    [['--', 'ls'], [], ['--', 'ls']],
    [['get', '--', '-odd-slug'], ['get'], ['--', '-odd-slug']],
  ])('%j → command %j, rest %j', (argv, words, rest) => {
    expect(takeCommandWords(argv, options, one)).toEqual({ words, rest })
  })

  test('a command group takes its subcommand across options', () => {
    expect(takeCommandWords(['--relay', 'ws://r', 'agent', '--json', 'ls', 'x'], options, group)).toEqual({
      words: ['agent', 'ls'],
      rest: ['--relay', 'ws://r', '--json', 'x'],
    })
  })
})

describe('parseOptions', () => {
  const options = { relay: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

  test('parses options anywhere among positionals', () => {
    const { values, positionals } = parseOptions(['a', '--relay', 'ws://r', 'b', '--json'], options)
    expect(values).toEqual({ relay: 'ws://r', json: true })
    expect(positionals).toEqual(['a', 'b'])
  })

  test('an unknown option names the nearest known one', () => {
    expect(() => parseOptions(['--rely', 'x'], options)).toThrow(new ArgsError('unknown option --rely (did you mean --relay?)'))
    expect(() => parseOptions(['--jsno'], options)).toThrow('unknown option --jsno (did you mean --json?)')
    expect(() => parseOptions(['--zzzzzzzz'], options)).toThrow(/^unknown option --zzzzzzzz$/)
    expect(() => parseOptions(['-x'], options)).toThrow(/^unknown option -x$/)
    expect(() => parseOptions(['--constructor'], options)).toThrow(ArgsError)
  })

  test('a string option without its value is an ArgsError', () => {
    expect(() => parseOptions(['--relay'], options)).toThrow(ArgsError)
  })
})

describe('version', () => {
  test('is the package version', async () => {
    const manifest = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string }
    expect(packageVersion()).toBe(manifest.version)
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/)
  })

  test('--version counts only before --', () => {
    expect(wantsVersion(['ls', '--version'])).toBe(true)
    expect(wantsVersion(['--version'])).toBe(true)
    expect(wantsVersion(['get', '--', '--version'])).toBe(false)
  })
})
