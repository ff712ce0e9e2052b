/** One relay, two URLs: ws(s):// for NIP-01, http(s):// for NIP-11 and the HTTP bridge. */

export type RelayUrls = { ok: true; ws: string; http: string } | { ok: false; message: string }

export function relayUrlsOf(input: string): RelayUrls {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return { ok: false, message: `invalid: relay URL ${JSON.stringify(input)} does not parse` }
  }
  const wsScheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[url.protocol]
  const httpScheme = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' }[url.protocol]
  if (wsScheme === undefined || httpScheme === undefined) {
    return { ok: false, message: `invalid: relay URL must use ws, wss, http or https (got ${url.protocol})` }
  }
  const rest = `//${url.host}${url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')}`
  return { ok: true, ws: `${wsScheme}${rest}`, http: `${httpScheme}${rest}` }
}
