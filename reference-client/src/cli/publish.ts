/** persona publish SLUG --display-name ... --system-prompt ... [--model ...] ... | --file body.json */

import { readFileSync } from 'node:fs'
import { DefaultSkewSeconds, symmetricWindow } from '../../../spec/model/clock.ts'
import { checkWritableContent } from '../../../spec/model/content.ts'
import { hashPersonaContentText } from '../../../spec/model/hash.ts'
import { checkEventMessageSize } from '../../../spec/model/message-size.ts'
import { reasonPrefixOf } from '../../../spec/model/reasons.ts'
import { checkSlug } from '../../../spec/model/slug.ts'
import { buildPersonaEvent } from '../publish.ts'
import { refreshPersonas } from '../sync.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { isoTime } from './format.ts'
import { fail } from './io.ts'
import { sendQueued } from './send.ts'

export interface PublishValues {
  'display-name'?: string
  'system-prompt'?: string
  model?: string
  provider?: string
  runtime?: string
  'avatar-url'?: string
  'name-pool'?: string
  file?: string
  alt?: boolean
}

function readBodyFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    fail(ExitCode.notFound, `error: cannot read ${path}: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    fail(ExitCode.invalid, `invalid: ${path} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(ExitCode.invalid, `invalid: ${path} must hold a JSON object`)
  return value as Record<string, unknown>
}

/** The body from --file (if any) with the flags laid over it. */
export function bodyFromOptions(values: PublishValues): Record<string, unknown> {
  const body = values.file === undefined ? {} : readBodyFile(values.file)
  const flags: Array<[keyof PublishValues, string]> = [
    ['display-name', 'display_name'],
    ['system-prompt', 'system_prompt'],
    ['model', 'model'],
    ['provider', 'provider'],
    ['runtime', 'runtime'],
    ['avatar-url', 'avatar_url'],
  ]
  for (const [flag, field] of flags) {
    const value = values[flag]
    if (typeof value === 'string') body[field] = value
  }
  if (values['name-pool'] !== undefined) {
    body.name_pool = values['name-pool']
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '')
  }
  return body
}

export async function runPublish(ctx: CommandContext, values: PublishValues, positionals: string[]): Promise<number> {
  const slug = positionals[0] as string
  const slugCheck = checkSlug(slug)
  if (!slugCheck.ok) fail(ExitCode.invalid, slugCheck.message)
  const body = bodyFromOptions(values)
  const writable = checkWritableContent(body)
  if (!writable.ok) fail(ExitCode.invalid, writable.message)
  const key = ctx.ownerKey()
  const store = ctx.store()

  const session = await ctx.relay()
  if (session) {
    const refreshed = await refreshPersonas(store, session.client, key.pubkey, slug)
    if (!refreshed.ok) ctx.note(`could not read the current head from the relay (${refreshed.message}); using the local store`)
    else ctx.noteRejected(refreshed.rejected)
  } else {
    ctx.note(`${ctx.relayProblem}; the new version is stored locally and queued for sync`)
  }

  const built = buildPersonaEvent({
    secretKey: key.secretKey,
    slug,
    body,
    now: ctx.nowSeconds(),
    lastCreatedAt: store.personas.lastTimestampOf(key.pubkey, slug),
    window: session?.window ?? symmetricWindow(DefaultSkewSeconds),
    alt: values.alt === true,
  })
  if (!built.ok) fail(reasonPrefixOf(built.message) === 'blocked' ? ExitCode.refused : ExitCode.invalid, built.message)
  const event = built.event
  const size = checkEventMessageSize(event, session?.maxMessageLength)
  if (!size.ok) fail(ExitCode.refused, size.message)
  store.transaction(() => {
    const put = store.personas.put(event)
    if (put.status !== 'stored') fail(ExitCode.error, `error: the store kept another version (${put.message})`)
    store.queue.enqueue(event, ctx.nowSeconds())
  })

  const sent = await sendQueued(ctx, session, event.id)
  const version = hashPersonaContentText(event.content)
  const document = {
    ok: sent.status === 'sent' || sent.status === 'queued',
    slug,
    pubkey: key.pubkey,
    id: sent.id,
    created_at: event.created_at,
    version,
    sync: sent.status,
    relay_message: sent.message,
    ...(sent.status === 'duplicate' ? { head: sent.head } : {}),
  }
  const verb = {
    sent: 'published',
    duplicate: 'stored locally; NOT the head on the relay (answered duplicate)',
    queued: 'stored locally, queued for sync',
    refused: 'stored locally; the relay REFUSED it',
  }[sent.status]
  ctx.emit(document, [
    `${slug}: ${verb}`,
    `id         ${sent.id}`,
    `created_at ${event.created_at} (${isoTime(event.created_at)})`,
    `version    ${version}`,
    ...(sent.status === 'sent' ? [] : [`relay      ${sent.message}`]),
    ...(sent.status === 'duplicate' ? [`head       ${sent.head ? `${sent.head.id} (created_at ${sent.head.created_at})` : 'none readable'}`] : []),
  ])
  if (sent.status === 'refused') {
    ctx.warn(`the relay refused ${slug}: ${sent.message}`)
    return ExitCode.refused
  }
  if (sent.status === 'duplicate') {
    ctx.warn(`${slug} ${sent.id} did not become the head on the relay: ${sent.message}`)
    return ExitCode.conflict
  }
  return ExitCode.ok
}
