// URL comparison as the origin's auth code does it (crates/buzz-auth/src/nip42.rs and nip98.rs,
// `normalize_relay_url` / `normalize_url`): WHATWG parsing, host `localhost` read as 127.0.0.1,
// trailing slashes of the path dropped. What does not parse is compared raw (NIP-42) or
// lowercased (NIP-98).

function normalizeParsed(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  // The origin also names `::1`, but its URL library spells that host `[::1]`, so only
  // `localhost` ever matches.
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1'
  url.pathname = url.pathname.replace(/\/+$/, '')
  return url.toString()
}

export function normalizeRelayUrl(raw: string): string {
  return normalizeParsed(raw) ?? raw
}

export function normalizeHttpAuthUrl(raw: string): string {
  return normalizeParsed(raw) ?? raw.toLowerCase()
}
