/**
 * The absolute URL a request names, as NIP-98's `u` tag must repeat it: scheme, Host
 * header, path and query. Behind a proxy the relay cannot see the public scheme and host,
 * so `--public-url` replaces the origin (and may add a path prefix).
 */

export interface RequestTarget {
  /** The Host header; when absent the listening address stands in. */
  host: string | undefined
  path: string
  /** The raw query string without `?`, '' when none. */
  query: string
}

export function absoluteRequestUrl(target: RequestTarget, publicUrl: string | null, listenAddress: string): string {
  const suffix = target.query === '' ? target.path : `${target.path}?${target.query}`
  if (publicUrl !== null) return `${publicUrl.replace(/\/+$/, '')}${suffix}`
  return `http://${target.host ?? listenAddress}${suffix}`
}

/** Validates a `--public-url` value: an absolute http(s) URL without query or fragment. */
export function checkPublicUrl(value: string): { ok: true; url: string } | { ok: false; message: string } {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    return { ok: false, message: `error: public URL is not an absolute URL: ${value}` }
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, message: `error: public URL must use http or https: ${value}` }
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    return { ok: false, message: `error: public URL must not carry a query or fragment: ${value}` }
  }
  return { ok: true, url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` }
}
