import { describe, expect, test } from 'vitest'
import { isSelected, matchesPattern } from './select.ts'

describe('matchesPattern', () => {
  test.each([
    ['slug.invalid-refused', 'slug.invalid-refused', true],
    ['slug.invalid-refused', 'slug', true],
    ['slug.invalid-refused', 'slu', false],
    ['slug.invalid-refused', 'slug.invalid', false],
    ['slug.invalid-refused', '*refused', true],
    ['slug.invalid-refused', 'slug.*', true],
    ['replaceable.tie-both-orders', '*.tie*', true],
    ['slug.a+b', 'slug.a+b', true],
    ['slugxa', 'slug.a', false],
  ])('%s against %s: %s', (id, pattern, expected) => {
    expect(matchesPattern(id, pattern)).toBe(expected)
  })
})

describe('isSelected', () => {
  test('no patterns selects everything; --only narrows; --skip removes', () => {
    expect(isSelected('slug.a', [], [])).toBe(true)
    expect(isSelected('slug.a', ['replaceable'], [])).toBe(false)
    expect(isSelected('slug.a', ['replaceable', 'slug'], [])).toBe(true)
    expect(isSelected('slug.a', ['slug'], ['slug.a'])).toBe(false)
  })
})
