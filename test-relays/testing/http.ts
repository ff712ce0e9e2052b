// NIP-11 fetches for the test relays' own tests.

export interface InfoResponse {
  readonly status: number
  readonly contentType: string
  readonly cors: { origin: string | null; headers: string | null; methods: string | null }
  readonly document: Record<string, unknown> | null
}

export async function fetchInfo(httpUrl: string, path = '/'): Promise<InfoResponse> {
  const response = await fetch(new URL(path, httpUrl), { headers: { Accept: 'application/nostr+json' } })
  const text = await response.text()
  let document: Record<string, unknown> | null = null
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) document = parsed as Record<string, unknown>
  } catch {
    document = null
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    cors: {
      origin: response.headers.get('access-control-allow-origin'),
      headers: response.headers.get('access-control-allow-headers'),
      methods: response.headers.get('access-control-allow-methods'),
    },
    document,
  }
}

export function limitation(info: InfoResponse): Record<string, unknown> | undefined {
  return info.document?.limitation as Record<string, unknown> | undefined
}
