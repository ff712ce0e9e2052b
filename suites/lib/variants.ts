/** The slug variants of spec/arbitraries/negative-space.ts around one base slug. */

/** [s, s + "x", s minus its last character, "x" + s, s + "-2", S (upper case), s's first 6 characters]. */
export function slugVariants(base: string): string[] {
  return [base, `${base}x`, base.slice(0, -1), `x${base}`, `${base}-2`, base.toUpperCase(), base.slice(0, 6)]
}
