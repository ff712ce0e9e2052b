/** Small text helpers for human output. */

import { npubEncode } from 'nostr-tools/nip19'

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

export function shortHex(hex: string, length = 12): string {
  return hex.slice(0, length)
}

export function shortNpub(pubkey: string): string {
  const npub = npubEncode(pubkey)
  return `${npub.slice(0, 12)}…${npub.slice(-6)}`
}

export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** Left-aligned columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
}
