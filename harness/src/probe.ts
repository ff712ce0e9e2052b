/**
 * Capability probe, run once before the cases: NIP-11 document, WebSocket reachability,
 * COUNT, HTTP bridge and its auth, clock offset and window. It records where the NIP-11
 * claims and the observed behaviour disagree. Every step is bounded; nothing here throws
 * for a misbehaving target (an unreachable WebSocket is reported, not raised).
 */

import { PersonaKind } from '../../spec/model/kinds.ts'
import { type HttpReply, exchange } from './http.ts'
import { type KeyPair, freshKeys } from './identity.ts'
import { probeWebSocket } from './probe-ws.ts'
import { buildHttpAuthHeader } from '../../spec/model/http-auth.ts'
import { Transcript } from './transcript.ts'
import {
  type Capability,
  Capabilities,
  type ClockWindowFinding,
  type Finding,
  type ProbeResult,
  type TargetInfo,
} from './types.ts'

export interface ProbeOptions {
  /** Per-step deadline. */
  timeoutMs: number
  /** Clock window override in seconds (symmetric), from `--skew`. */
  skewSeconds?: number
  /** The target runs in this process (embedded relay): the clocks are the same. */
  sameClock?: boolean
  /** Receives the probe's own transcript (for debugging a probe). */
  transcript?: Transcript
  /** NIP-42: authenticate with this key (the first of the user's keys) instead of one made for the probe. */
  authKey?: KeyPair
}

/** NIP-11 limits at or above this are read as absolute timestamps, below as relative seconds. */
const AbsoluteTimestampThreshold = 1_000_000_000

export async function probeTarget(target: Pick<TargetInfo, 'url' | 'httpUrl'>, options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now()
  const transcript = options.transcript ?? new Transcript()
  const findings: Finding[] = []
  const shortWait = Math.min(options.timeoutMs, 1500)

  const nip11 = await fetchNip11(target.httpUrl, transcript, options.timeoutMs)
  const claimsNip = (n: number): boolean | null => (nip11.result.served ? nip11.result.supportedNips.includes(n) : null)

  const ws = await probeWebSocket(target.url, {
    timeoutMs: options.timeoutMs,
    shortWaitMs: shortWait,
    transcript,
    limitation: nip11.result.limitation,
    ...(options.authKey ? { authKey: options.authKey } : {}),
  })
  const { reachable, count: countObserved } = ws
  findings.push(...ws.findings)
  if (reachable) {
    const claimedCount = claimsNip(45)
    findings.push({
      subject: 'NIP-45 COUNT',
      claimed: claimedCount === null ? null : claimedCount ? 'supported_nips includes 45' : 'supported_nips omits 45',
      observed: countObserved.detail,
      agrees: claimedCount === null ? true : claimedCount === countObserved.available,
      source: 'probe',
    })
    const claimed42 = claimsNip(42)
    if (claimed42 !== null && (claimed42 || ws.auth.challenge !== 'none')) {
      findings.push({
        subject: 'NIP-42 AUTH',
        claimed: claimed42 ? 'supported_nips includes 42' : 'supported_nips omits 42',
        observed: ws.auth.detail,
        agrees: claimed42 === (ws.auth.challenge !== 'none'),
        source: 'probe',
      })
    }
  }

  const http = await probeHttpBridge(target.httpUrl, transcript, options.timeoutMs)
  if (http.bridge) {
    const claimed98 = claimsNip(98)
    findings.push({
      subject: 'NIP-98 HTTP auth',
      claimed: claimed98 === null ? null : claimed98 ? 'supported_nips includes 98' : 'supported_nips omits 98',
      observed: http.detail,
      agrees: claimed98 === null ? true : claimed98 === (http.auth === 'nip98'),
      source: 'probe',
    })
  }
  if (nip11.result.served) {
    findings.push({
      subject: 'NIP-11 CORS header',
      claimed: null,
      observed: nip11.result.cors ? 'Access-Control-Allow-Origin present' : 'Access-Control-Allow-Origin missing',
      agrees: nip11.result.cors === true,
      source: 'probe',
    })
  }

  const window = clockWindowOf(nip11.result.limitation, options.skewSeconds, nowSeconds())
  const clock = options.sameClock
    ? { offsetSeconds: 0, uncertaintySeconds: 0, method: 'same-process' as const }
    : (nip11.clock ?? http.clock ?? { offsetSeconds: 0, uncertaintySeconds: 0, method: 'none' as const })

  const capabilities = {} as ProbeResult['capabilities']
  const set = (name: Capability, available: boolean, reason: string): void => {
    capabilities[name] = { available, reason }
  }
  for (const name of Capabilities) set(name, false, 'not probed')
  set('websocket', reachable, ws.detail)
  set('nip11', nip11.result.served, nip11.result.served ? 'NIP-11 document served' : (nip11.result.error ?? 'no NIP-11 document'))
  // A relay that claims NIP-45 owes COUNT: its cases run (and fail) rather than skip.
  const claims45 = claimsNip(45) === true
  set('count', countObserved.available || claims45, countObserved.available || !claims45 ? countObserved.detail : `NIP-11 claims NIP-45; the probe saw: ${countObserved.detail}`)
  set('http-bridge', http.bridge, http.detail)
  set('http-auth', http.auth === 'nip98', http.detail)
  set('nip42', ws.auth.challenge !== 'none', ws.auth.detail)
  set(
    'clock-window',
    window !== undefined,
    window ? `window -${window.lower}s/+${window.upper}s from ${window.source}` : 'window unknown: no NIP-11 created_at limits and no --skew',
  )

  return {
    reachable,
    ...(ws.unreachableReason !== undefined && !reachable ? { unreachableReason: ws.unreachableReason } : {}),
    ...(ws.roundTripMs !== undefined ? { websocketRoundTripMs: ws.roundTripMs } : {}),
    nip11: nip11.result,
    delivery: ws.delivery,
    auth: ws.auth,
    http: { bridge: http.bridge, auth: http.auth, detail: http.detail },
    clock: { ...clock, ...(window ? { window } : {}) },
    capabilities,
    findings,
    durationMs: Date.now() - started,
    transcript: transcript.entries,
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

interface ClockEstimate {
  offsetSeconds: number
  uncertaintySeconds: number
  method: 'http-date'
}

/** Offset from an HTTP Date header (1 s resolution) against the request's local midpoint. */
function clockFromDate(dateHeader: string | undefined, sentAt: number, receivedAt: number): ClockEstimate | undefined {
  if (!dateHeader) return undefined
  const relayMs = Date.parse(dateHeader)
  if (Number.isNaN(relayMs)) return undefined
  const midpoint = (sentAt + receivedAt) / 2
  // The header truncates to the second: the relay's clock read somewhere in [relayMs, relayMs+1000).
  const offset = (relayMs + 500 - midpoint) / 1000
  const uncertainty = (receivedAt - sentAt) / 2000 + 0.5
  return { offsetSeconds: round(offset), uncertaintySeconds: round(uncertainty), method: 'http-date' }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}

async function fetchNip11(
  httpUrl: string,
  transcript: Transcript,
  timeoutMs: number,
): Promise<{ result: ProbeResult['nip11']; clock?: ClockEstimate }> {
  const empty = { served: false, supportedNips: [], limitation: {} }
  const sentAt = Date.now()
  let reply: HttpReply
  try {
    reply = await exchange(transcript, 'GET', httpUrl, { accept: 'application/nostr+json' }, undefined, timeoutMs)
  } catch (error) {
    return { result: { ...empty, error: error instanceof Error ? error.message : String(error) } }
  }
  const clock = clockFromDate(reply.headers.date, sentAt, Date.now())
  const base = {
    status: reply.status,
    ...(reply.headers['content-type'] ? { contentType: reply.headers['content-type'] } : {}),
    cors: reply.headers['access-control-allow-origin'] !== undefined,
  }
  const doc = reply.json
  if (reply.status !== 200 || typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { result: { ...empty, ...base, error: `GET with Accept: application/nostr+json answered ${reply.status}, not a JSON object` }, ...(clock ? { clock } : {}) }
  }
  const record = doc as Record<string, unknown>
  const nips = Array.isArray(record.supported_nips) ? record.supported_nips.filter((n): n is number => typeof n === 'number') : []
  const limitation =
    typeof record.limitation === 'object' && record.limitation !== null && !Array.isArray(record.limitation)
      ? (record.limitation as Record<string, unknown>)
      : {}
  return { result: { served: true, ...base, document: record, supportedNips: nips, limitation }, ...(clock ? { clock } : {}) }
}

/** The acceptance window: --skew wins, then NIP-11 created_at limits. */
export function clockWindowOf(
  limitation: Record<string, unknown>,
  skewSeconds: number | undefined,
  now: number,
): ClockWindowFinding | undefined {
  if (skewSeconds !== undefined) return { lower: skewSeconds, upper: skewSeconds, source: 'option' }
  const lowerRaw = limitation.created_at_lower_limit
  const upperRaw = limitation.created_at_upper_limit
  if (typeof lowerRaw !== 'number' || typeof upperRaw !== 'number') return undefined
  const absolute = lowerRaw >= AbsoluteTimestampThreshold || upperRaw >= AbsoluteTimestampThreshold
  if (absolute) {
    return {
      lower: Math.max(0, now - lowerRaw),
      upper: Math.max(0, upperRaw - now),
      source: 'nip11',
      interpretation: 'NIP-11 limits read as absolute timestamps (values >= 1e9)',
    }
  }
  return {
    lower: lowerRaw,
    upper: upperRaw,
    source: 'nip11',
    interpretation: 'NIP-11 limits read as seconds relative to now (values < 1e9)',
  }
}

async function probeHttpBridge(
  httpUrl: string,
  transcript: Transcript,
  timeoutMs: number,
): Promise<{ bridge: boolean; auth: 'nip98' | 'none' | 'unknown'; detail: string; clock?: ClockEstimate }> {
  const url = new URL('/count', httpUrl).toString()
  const keys = freshKeys()
  const body = JSON.stringify([{ kinds: [PersonaKind], authors: [keys.pubkey] }])
  const headers = { 'content-type': 'application/json' }
  let signed: HttpReply
  const sentAt = Date.now()
  try {
    signed = await exchange(
      transcript,
      'POST',
      url,
      { ...headers, authorization: buildHttpAuthHeader({ secretKey: keys.secretKey, url, method: 'POST', body }) },
      body,
      timeoutMs,
    )
  } catch (error) {
    return { bridge: false, auth: 'unknown', detail: `POST /count failed: ${error instanceof Error ? error.message : String(error)}` }
  }
  const clock = clockFromDate(signed.headers.date, sentAt, Date.now())
  const countOk = signed.status === 200 && typeof (signed.json as { count?: unknown } | undefined)?.count === 'number'
  if (!countOk) {
    return {
      bridge: false,
      auth: 'unknown',
      detail: `no HTTP bridge: signed POST /count answered ${signed.status}`,
      ...(clock ? { clock } : {}),
    }
  }
  let unsigned: HttpReply
  try {
    unsigned = await exchange(transcript, 'POST', url, headers, body, timeoutMs)
  } catch (error) {
    return { bridge: true, auth: 'unknown', detail: `unsigned POST /count failed: ${error instanceof Error ? error.message : String(error)}` }
  }
  if (unsigned.status === 401) {
    return { bridge: true, auth: 'nip98', detail: 'HTTP bridge present; unsigned POST /count refused with 401, NIP-98 signed accepted', ...(clock ? { clock } : {}) }
  }
  return {
    bridge: true,
    auth: unsigned.status === 200 ? 'none' : 'unknown',
    detail: `HTTP bridge present; unsigned POST /count answered ${unsigned.status}`,
    ...(clock ? { clock } : {}),
  }
}

/** A probe result for runs that contact no target (listing cases). */
export function emptyProbe(reason: string): ProbeResult {
  const capabilities = {} as ProbeResult['capabilities']
  for (const name of Capabilities) capabilities[name] = { available: false, reason }
  return {
    reachable: false,
    unreachableReason: reason,
    nip11: { served: false, supportedNips: [], limitation: {} },
    delivery: { eose: 'unknown', live: 'unknown', count: 'unknown' },
    auth: { challenge: 'none', event: 'unknown', req: 'unknown', count: 'unknown', accepted: null, answered: null, bindsKey: null, identity: 'harness', detail: reason },
    http: { bridge: false, auth: 'unknown', detail: reason },
    clock: { offsetSeconds: 0, uncertaintySeconds: 0, method: 'none' },
    capabilities,
    findings: [],
    durationMs: 0,
    transcript: [],
  }
}
