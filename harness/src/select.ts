/** `--only` / `--skip` patterns over case ids. */

/**
 * A pattern matches a case id when it is the id itself, a dotted prefix of it (`slug`
 * matches `slug.uppercase-refused`), or a glob where `*` stands for any run of characters.
 */
export function matchesPattern(id: string, pattern: string): boolean {
  if (pattern.includes('*')) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')
    return new RegExp(`^${source}$`).test(id)
  }
  return id === pattern || id.startsWith(`${pattern}.`)
}

/** Selected: matches some `only` pattern (or there are none) and no `skip` pattern. */
export function isSelected(id: string, only: readonly string[], skip: readonly string[]): boolean {
  if (only.length > 0 && !only.some((pattern) => matchesPattern(id, pattern))) return false
  return !skip.some((pattern) => matchesPattern(id, pattern))
}
