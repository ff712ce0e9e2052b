/** Small text measures used by the limits. */

/** Unicode code points of a string (what NIP-11 calls characters). */
export function codePointLength(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    count++
  }
  return count
}

/** True when `text` has more than `max` code points, without counting long strings twice. */
export function exceedsCodePoints(text: string, max: number): boolean {
  // Code points never outnumber UTF-16 units, and are at least half of them.
  if (text.length <= max) return false
  if (text.length > 2 * max) return true
  return codePointLength(text) > max
}
