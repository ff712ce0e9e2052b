// One WebSocket client: frames in, NIP-01/42/45 answers out.
import type { WebSocket } from 'ws'
import { checkAuthEvent, newChallenge } from './auth.ts'
import type { NostrEvent } from './event.ts'
import { parseFilter, type Filter } from './filter.ts'
import { ingestEvent, type IngestResult } from './ingest.ts'
import type { Reason } from './reasons.ts'
import type { Relay } from './relay.ts'
import { maxBufferedBytes } from './settings.ts'
import type { Subscriber } from './subscriptions.ts'

let nextSerial = 1

type Frame = readonly unknown[]

export class Connection implements Subscriber {
  readonly serial = nextSerial++
  private readonly authenticated = new Set<string>()
  private readonly challenge: string | null
  private challengeSent = false

  constructor(
    private readonly relay: Relay,
    private readonly socket: WebSocket,
    /** The Host header the client connected with (for the NIP-42 relay tag). */
    private readonly host: string,
  ) {
    this.challenge = relay.settings.auth ? newChallenge() : null
    socket.on('message', (data, isBinary) => {
      // A frame that trips a bug is answered, and never takes the relay down.
      try {
        this.receive(data as Buffer | Buffer[] | ArrayBuffer, isBinary)
      } catch (error) {
        this.notice({ prefix: 'error', text: `could not handle the message: ${(error as Error).message}` })
      }
    })
    socket.on('close', () => relay.subscriptions.closeAll(this))
    socket.on('error', () => socket.terminate())
    if (relay.settings.authChallenge === 'on-connect') this.sendChallenge()
  }

  private sendChallenge(): void {
    if (this.challenge === null || this.challengeSent) return
    this.challengeSent = true
    this.send(['AUTH', this.challenge])
  }

  deliver(subscriptionId: string, event: NostrEvent): void {
    this.send(['EVENT', subscriptionId, event])
  }

  private send(frame: Frame): void {
    if (this.socket.readyState !== this.socket.OPEN) return
    if (this.socket.bufferedAmount > maxBufferedBytes) {
      // A reader this slow gets cut off rather than grow the queue without bound.
      this.socket.terminate()
      return
    }
    this.socket.send(JSON.stringify(frame))
  }

  private notice(reason: Reason): void {
    if (this.relay.settings.notices) this.send(['NOTICE', `${reason.prefix}: ${reason.text}`])
  }

  private closed(id: string, reason: Reason): void {
    if (reason.prefix === 'auth-required') this.sendChallenge()
    this.send(['CLOSED', id, this.relay.voice.refusal(reason, 'CLOSED')])
  }

  private ok(id: string, accepted: boolean, message: string): void {
    if (accepted && message === '' && this.relay.faults.has('ok-three-elements')) this.send(['OK', id, true])
    else this.send(['OK', id, accepted, message])
  }

  private receive(data: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
    const text = bytes.toString('utf8')
    if (bytes.length > this.relay.settings.maxMessageLength) return this.refuseOversized(text, bytes.length)
    if (isBinary) return this.notice({ prefix: 'invalid', text: 'binary frames are not understood' })
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      return this.notice({ prefix: 'invalid', text: 'the message is not valid JSON' })
    }
    if (!Array.isArray(frame) || typeof frame[0] !== 'string')
      return this.notice({ prefix: 'invalid', text: 'a message must be a JSON array starting with its type' })
    if (this.relay.faults.has('null')) return this.receiveAsNull(frame)
    switch (frame[0]) {
      case 'EVENT':
        return this.onEvent(frame)
      case 'REQ':
        return this.onReq(frame)
      case 'COUNT':
        return this.onCount(frame)
      case 'CLOSE':
        return this.onClose(frame)
      case 'AUTH':
        return this.onAuth(frame)
      default:
        return this.notice({ prefix: 'unsupported', text: `unknown message type ${JSON.stringify(frame[0]).slice(0, 40)}` })
    }
  }

  /** The `null` control: acknowledges everything, keeps and serves nothing. */
  private receiveAsNull(frame: Frame): void {
    const [type, second] = frame
    if (type === 'EVENT' && typeof second === 'object' && second !== null) {
      const id = (second as Record<string, unknown>).id
      if (typeof id === 'string') this.ok(id, true, '')
    } else if (type === 'REQ' && typeof second === 'string') {
      this.send(['EOSE', second])
    } else if (type === 'COUNT' && typeof second === 'string') {
      this.send(['COUNT', second, { count: 0 }])
    }
  }

  private refuseOversized(text: string, length: number): void {
    const reason: Reason = {
      prefix: 'invalid',
      text: `message of ${length} bytes is over max_message_length ${this.relay.settings.maxMessageLength}`,
    }
    const head = /^\s*\[\s*"(EVENT|REQ|COUNT)"\s*,\s*"?/.exec(text)
    if (head?.[1] === 'EVENT') {
      const id = /(?<!\\)"id"\s*:\s*"([0-9a-f]{64})"/.exec(text)?.[1]
      if (id !== undefined) return this.ok(id, false, this.relay.voice.refusal(reason, 'OK'))
    } else if (head?.[1] === 'REQ' || head?.[1] === 'COUNT') {
      const id = /^\s*\[\s*"(?:REQ|COUNT)"\s*,\s*("(?:[^"\\]|\\.){1,256}")/.exec(text)?.[1]
      if (id !== undefined) return this.closed(JSON.parse(id) as string, reason)
    }
    this.notice(reason)
  }

  private onEvent(frame: Frame): void {
    const relay = this.relay
    const result: IngestResult = ingestEvent(frame[1], {
      settings: relay.settings,
      faults: relay.faults,
      limits: relay.limits,
      store: relay.store,
      authKeys: relay.authKeys,
      authenticated: this.authenticated,
      now: relay.nowSeconds(),
    })
    const answer = (): void => {
      if (result.notice !== null) this.notice(result.notice)
      if (result.ok === null) return
      const { id, answer: ok } = result.ok
      if (!ok.accepted && ok.reason.prefix === 'auth-required') this.sendChallenge()
      if (ok.accepted) this.ok(id, true, relay.voice.acknowledgement(ok.note))
      else this.ok(id, false, relay.voice.refusal(ok.reason, 'OK'))
    }
    const deliver = (): void => {
      if (result.deliver !== null) relay.fanout(result.deliver)
    }
    if (relay.settings.fanoutBeforeOk) {
      deliver()
      answer()
    } else {
      answer()
      deliver()
    }
  }

  /** The problem with a subscription or query id, or null. */
  private idProblem(id: string): Reason | null {
    if (id === '') return { prefix: 'invalid', text: 'subscription id must not be empty' }
    if (id.length > this.relay.limits.maxSubidLength)
      return { prefix: 'invalid', text: `subscription id longer than ${this.relay.limits.maxSubidLength} characters` }
    return null
  }

  private accessProblem(): Reason | null {
    if (!this.relay.settings.auth) return null
    if (this.authenticated.size === 0) return { prefix: 'auth-required', text: 'this relay answers only after NIP-42 AUTH' }
    const allowed = this.relay.authKeys
    if (allowed !== null && ![...this.authenticated].some((key) => allowed.has(key)))
      return { prefix: 'restricted', text: 'no key authenticated on this connection may read here' }
    return null
  }

  /** Filters of a REQ or COUNT, or the reason to refuse them. */
  private readFilters(raw: readonly unknown[]): { ok: true; filters: Filter[] } | { ok: false; reason: Reason } {
    if (raw.length === 0) return { ok: false, reason: { prefix: 'invalid', text: 'at least one filter is needed' } }
    const filters: Filter[] = []
    for (const item of raw) {
      const parsed = parseFilter(item)
      if (!parsed.ok) return parsed
      filters.push(parsed.filter)
    }
    if (this.relay.settings.requireKinds && filters.some((filter) => filter.kinds === undefined))
      return { ok: false, reason: { prefix: 'restricted', text: 'every filter must name its kinds' } }
    return { ok: true, filters: this.relay.faults.has('multi-filter-first-only') ? filters.slice(0, 1) : filters }
  }

  private onReq(frame: Frame): void {
    const relay = this.relay
    const id = frame[1]
    if (typeof id !== 'string') return this.notice({ prefix: 'invalid', text: 'REQ needs a subscription id string' })
    const refusal = this.idProblem(id) ?? this.accessProblem()
    if (refusal !== null) return this.closed(id, refusal)
    const read = this.readFilters(frame.slice(2))
    if (!read.ok) {
      relay.subscriptions.close(this, id)
      return this.closed(id, read.reason)
    }
    if (!relay.subscriptions.isOpen(this, id) && relay.subscriptions.countFor(this) >= relay.limits.maxSubscriptions) {
      return this.closed(id, {
        prefix: 'blocked',
        text: `no more than ${relay.limits.maxSubscriptions} open subscriptions per connection`,
      })
    }
    const stored = relay.storedAnswer(read.filters)
    relay.subscriptions.open({ subscriber: this, id, filters: read.filters, liveBudget: this.liveBudget(read.filters, stored.length) })
    const eose = !relay.faults.has('no-eose')
    if (eose && relay.faults.has('eose-first')) this.send(['EOSE', id])
    for (const event of stored) this.deliver(id, event)
    if (eose && !relay.faults.has('eose-first')) this.send(['EOSE', id])
  }

  /** Under the live-limit defect, `limit` keeps counting after EOSE. */
  private liveBudget(filters: readonly Filter[], storedCount: number): number | null {
    if (!this.relay.faults.has('live-limit')) return null
    const limits = filters.flatMap((filter) => (filter.limit === undefined ? [] : [filter.limit]))
    return limits.length === 0 ? null : Math.max(0, Math.min(...limits) - storedCount)
  }

  private onCount(frame: Frame): void {
    const relay = this.relay
    const id = frame[1]
    if (typeof id !== 'string') return this.notice({ prefix: 'invalid', text: 'COUNT needs a query id string' })
    if (relay.faults.has('count-hangup')) {
      this.socket.terminate()
      return
    }
    if (relay.settings.count === 'refuse')
      return this.closed(id, { prefix: 'unsupported', text: 'this relay does not count events' })
    const refusal = this.idProblem(id) ?? this.accessProblem()
    if (refusal !== null) return this.closed(id, refusal)
    const read = this.readFilters(frame.slice(2))
    if (!read.ok) return this.closed(id, read.reason)
    let count = relay.count(read.filters)
    if (relay.faults.has('count-off-by-one')) count++
    const claimsExact =
      relay.settings.countApproximateFlag || relay.faults.has('count-off-by-one') || relay.faults.has('count-superseded')
    this.send(['COUNT', id, claimsExact ? { count, approximate: false } : { count }])
  }

  private onClose(frame: Frame): void {
    const id = frame[1]
    if (typeof id !== 'string') return this.notice({ prefix: 'invalid', text: 'CLOSE needs a subscription id string' })
    if (!this.relay.faults.has('close-ignored')) this.relay.subscriptions.close(this, id)
  }

  private onAuth(frame: Frame): void {
    const relay = this.relay
    const raw = frame[1]
    const id = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).id : undefined
    const refuse = (reason: Reason): void => {
      if (typeof id === 'string') this.ok(id, false, relay.voice.refusal(reason, 'OK'))
      else this.notice(reason)
    }
    if (this.challenge === null) return refuse({ prefix: 'error', text: 'AUTH is not in use on this relay' })
    const check = checkAuthEvent(raw, this.challenge, this.host, relay.nowSeconds(), relay.faults)
    if (!check.ok) return refuse({ prefix: 'invalid', text: check.text })
    if (relay.faults.has('auth-single-key')) this.authenticated.clear()
    this.authenticated.add(check.event.pubkey)
    if (!relay.faults.has('auth-no-ok')) this.ok(check.event.id, true, '')
    if (relay.faults.has('auth-message-broadcast')) relay.fanout(check.event)
  }
}
