/**
 * Persona heads and the deletions that cover them. Per address (kind, pubkey, d_tag) the
 * `events` table holds the head as the raw signed event, latest wins by spec/model's
 * compareVersions whatever the arrival order. Deletions are kept whole with the targets
 * they name; a head is deleted when spec/model's isDeletedBy says a stored deletion covers
 * it, so neither rule is restated here. Every row read back is verified again.
 */

import { isDeletedBy } from '../../../spec/model/deletion.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { compareVersions, dTagOf, selectHead } from '../../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../../spec/model/kinds.ts'
import { formatReason } from '../../../spec/model/reasons.ts'
import { checkPersonaEvent, checkSignedEvent, parseStoredEvent } from '../verify.ts'
import { addressTarget, idTarget, type StoreDatabase, targetsOf } from './database.ts'

export type PutResult =
  | { status: 'stored'; replaced: string | null }
  | { status: 'stale'; message: string }
  | { status: 'invalid'; message: string }

export type DeletionPutResult =
  | { status: 'stored'; covered: string[] }
  | { status: 'stale'; message: string }
  | { status: 'invalid'; message: string }

export type PersonaRead =
  | { status: 'present'; event: NostrEvent }
  | { status: 'deleted'; deletion: NostrEvent; head: NostrEvent | null }
  | { status: 'missing' }
  | { status: 'corrupt'; message: string }

export interface CorruptRow {
  where: 'events' | 'deletions'
  key: string
  message: string
}

/** A stored row as `persona doctor` sees it: the raw text and what verification says. */
export interface AuditedRow {
  where: 'events' | 'deletions'
  key: string
  check: { ok: true; event: NostrEvent } | { ok: false; message: string }
}

export interface PersonaStore {
  /** Keeps `event` if it is a verified persona newer than the head of its address. */
  put(event: NostrEvent): PutResult
  /** Keeps a verified kind 5 event that names a persona address of its author or an event id. */
  putDeletion(event: NostrEvent): DeletionPutResult
  read(pubkey: string, slug: string): PersonaRead
  /** Live (not deleted) verified heads of one author, or of every author, in slug order. */
  list(pubkey?: string): { events: NostrEvent[]; corrupt: CorruptRow[] }
  /** True when the owner has any persona head or persona deletion here (migration's sentinel). */
  hasOwnerHistory(pubkey: string): boolean
  /** The greatest created_at of the head and of the `a` deletions of the address (T of the write rule). */
  lastTimestampOf(pubkey: string, slug: string): number | undefined
  /** Every row with its verification result. */
  audit(): AuditedRow[]
}

interface HeadRow {
  id: string
  created_at: number
  raw: string
  pubkey: string
  d_tag: string
}

interface DeletionRow {
  id: string
  created_at: number
  raw: string
}

export function createPersonaStore(db: StoreDatabase): PersonaStore {
  const selectHeadRow = db.prepare<[number, string, string], HeadRow>(
    'SELECT id, created_at, raw, pubkey, d_tag FROM events WHERE kind = ? AND pubkey = ? AND d_tag = ?',
  )
  const upsertHead = db.prepare(
    `INSERT INTO events (kind, pubkey, d_tag, id, created_at, raw) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, pubkey, d_tag) DO UPDATE SET id = excluded.id, created_at = excluded.created_at, raw = excluded.raw`,
  )
  const selectDeletionsFor = db.prepare<[string, string], DeletionRow>(
    `SELECT DISTINCT d.id, d.created_at, d.raw FROM deletions d JOIN deletion_targets t ON t.deletion_id = d.id
     WHERE t.target IN (?, ?) ORDER BY d.created_at DESC, d.id`,
  )
  const selectAddressDeletions = db.prepare<[string], DeletionRow>(
    `SELECT d.id, d.created_at, d.raw FROM deletions d JOIN deletion_targets t ON t.deletion_id = d.id
     WHERE t.target = ? ORDER BY d.created_at DESC, d.id`,
  )
  const hasDeletion = db.prepare<[string], { id: string }>('SELECT id FROM deletions WHERE id = ?')
  const insertDeletion = db.prepare('INSERT INTO deletions (id, pubkey, created_at, raw) VALUES (?, ?, ?, ?)')
  const insertTarget = db.prepare('INSERT OR IGNORE INTO deletion_targets (deletion_id, target) VALUES (?, ?)')
  const headsWithId = db.prepare<[string], HeadRow>('SELECT id, created_at, raw, pubkey, d_tag FROM events WHERE id = ?')

  /** Verified deletions filed under the head's address or id; unverifiable rows are reported. */
  function deletionsFor(pubkey: string, slug: string, headId: string | null): { deletions: NostrEvent[]; corrupt: string[] } {
    const rows = headId === null ? selectAddressDeletions.all(addressTarget(pubkey, slug)) : selectDeletionsFor.all(addressTarget(pubkey, slug), idTarget(headId))
    const deletions: NostrEvent[] = []
    const corrupt: string[] = []
    for (const row of rows) {
      const checked = parseStoredEvent(row.raw, checkSignedEvent)
      if (checked.ok && checked.event.id === row.id) deletions.push(checked.event)
      else corrupt.push(`stored deletion ${row.id} failed verification (${checked.ok ? 'its id does not match its row' : checked.message})`)
    }
    return { deletions, corrupt }
  }

  /** The newest deletion that covers `head`, by spec/model's rule. */
  function coveringDeletion(head: NostrEvent, deletions: readonly NostrEvent[]): NostrEvent | undefined {
    return deletions.find((deletion) => isDeletedBy(head, deletion))
  }

  function verifiedHead(row: HeadRow): { ok: true; event: NostrEvent } | { ok: false; message: string } {
    const checked = parseStoredEvent(row.raw, checkPersonaEvent)
    if (!checked.ok) return checked
    const event = checked.event
    if (event.id !== row.id || event.pubkey !== row.pubkey || dTagOf(event) !== row.d_tag || event.created_at !== row.created_at) {
      return { ok: false, message: 'invalid: the stored event does not match the address it is filed under' }
    }
    return checked
  }

  return {
    put(candidate) {
      const checked = checkPersonaEvent(candidate)
      if (!checked.ok) return { status: 'invalid', message: checked.message }
      const event = checked.event
      const slug = dTagOf(event)
      return db.transaction((): PutResult => {
        const current = selectHeadRow.get(event.kind, event.pubkey, slug)
        if (current !== undefined && compareVersions(event, current) >= 0) {
          const same = current.id === event.id
          return { status: 'stale', message: formatReason('duplicate', same ? 'already have this event' : `have a newer version of ${slug} (${current.id})`) }
        }
        upsertHead.run(event.kind, event.pubkey, slug, event.id, event.created_at, JSON.stringify(event))
        return { status: 'stored', replaced: current?.id ?? null }
      })()
    },

    putDeletion(candidate) {
      const checked = checkSignedEvent(candidate)
      if (!checked.ok) return { status: 'invalid', message: checked.message }
      const deletion = checked.event
      if (deletion.kind !== DeletionKind) return { status: 'invalid', message: `invalid: expected kind ${DeletionKind}, got ${deletion.kind}` }
      const targets = targetsOf(deletion)
      if (targets.length === 0) return { status: 'invalid', message: 'invalid: the deletion names no persona of its author and no event id' }
      return db.transaction((): DeletionPutResult => {
        if (hasDeletion.get(deletion.id) !== undefined) return { status: 'stale', message: formatReason('duplicate', 'already have this deletion') }
        insertDeletion.run(deletion.id, deletion.pubkey, deletion.created_at, JSON.stringify(deletion))
        for (const target of targets) insertTarget.run(deletion.id, target)
        const covered: string[] = []
        const candidates = new Map<string, HeadRow>()
        for (const target of targets) {
          if (target.startsWith('id:')) for (const row of headsWithId.all(target.slice(3))) candidates.set(`${row.pubkey}:${row.d_tag}`, row)
          else {
            const [, pubkey, ...rest] = target.split(':')
            const row = selectHeadRow.get(PersonaKind, pubkey as string, rest.join(':'))
            if (row !== undefined) candidates.set(`${row.pubkey}:${row.d_tag}`, row)
          }
        }
        for (const row of candidates.values()) {
          const head = verifiedHead(row)
          if (head.ok && isDeletedBy(head.event, deletion)) covered.push(addressTarget(row.pubkey, row.d_tag))
        }
        return { status: 'stored', covered }
      })()
    },

    read(pubkey, slug) {
      const row = selectHeadRow.get(PersonaKind, pubkey, slug)
      if (row === undefined) {
        const { deletions, corrupt } = deletionsFor(pubkey, slug, null)
        const newest = selectHead(deletions)
        if (newest !== undefined) return { status: 'deleted', deletion: newest, head: null }
        if (corrupt.length > 0) return { status: 'corrupt', message: `error: ${corrupt[0]}` }
        return { status: 'missing' }
      }
      const head = verifiedHead(row)
      if (!head.ok) return { status: 'corrupt', message: `error: stored head ${row.id} of ${slug} failed verification (${head.message})` }
      const { deletions, corrupt } = deletionsFor(pubkey, slug, head.event.id)
      const covering = coveringDeletion(head.event, deletions)
      if (covering !== undefined) return { status: 'deleted', deletion: covering, head: head.event }
      if (corrupt.length > 0) return { status: 'corrupt', message: `error: ${corrupt[0]}` }
      return { status: 'present', event: head.event }
    },

    list(pubkey) {
      const rows =
        pubkey === undefined
          ? db.prepare<[number], HeadRow>('SELECT id, created_at, raw, pubkey, d_tag FROM events WHERE kind = ? ORDER BY pubkey, d_tag').all(PersonaKind)
          : db.prepare<[number, string], HeadRow>('SELECT id, created_at, raw, pubkey, d_tag FROM events WHERE kind = ? AND pubkey = ? ORDER BY d_tag').all(PersonaKind, pubkey)
      const events: NostrEvent[] = []
      const corrupt: CorruptRow[] = []
      for (const row of rows) {
        const head = verifiedHead(row)
        if (!head.ok) {
          corrupt.push({ where: 'events', key: row.d_tag, message: head.message })
          continue
        }
        const { deletions, corrupt: bad } = deletionsFor(row.pubkey, row.d_tag, row.id)
        for (const message of bad) corrupt.push({ where: 'deletions', key: row.d_tag, message })
        if (coveringDeletion(head.event, deletions) === undefined) events.push(head.event)
      }
      return { events, corrupt }
    },

    hasOwnerHistory(pubkey) {
      const head = db.prepare<[number, string], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE kind = ? AND pubkey = ?').get(PersonaKind, pubkey)
      if ((head?.n ?? 0) > 0) return true
      const deletion = db.prepare<[string, string], { n: number }>(
        `SELECT COUNT(*) AS n FROM deletions d JOIN deletion_targets t ON t.deletion_id = d.id WHERE d.pubkey = ? AND t.target LIKE ?`,
      )
      return (deletion.get(pubkey, `${PersonaKind}:${pubkey}:%`)?.n ?? 0) > 0
    },

    lastTimestampOf(pubkey, slug) {
      const head = selectHeadRow.get(PersonaKind, pubkey, slug)
      const deletion = selectAddressDeletions.get(addressTarget(pubkey, slug))
      const times = [head?.created_at, deletion?.created_at].filter((t): t is number => t !== undefined)
      return times.length === 0 ? undefined : Math.max(...times)
    },

    audit() {
      const rows: AuditedRow[] = []
      for (const row of db.prepare<[], HeadRow>('SELECT id, created_at, raw, pubkey, d_tag FROM events ORDER BY pubkey, d_tag').all()) {
        rows.push({ where: 'events', key: addressTarget(row.pubkey, row.d_tag), check: verifiedHead(row) })
      }
      for (const row of db.prepare<[], DeletionRow>('SELECT id, created_at, raw FROM deletions ORDER BY created_at, id').all()) {
        const checked = parseStoredEvent(row.raw, checkSignedEvent)
        rows.push({
          where: 'deletions',
          key: row.id,
          check: checked.ok && checked.event.id !== row.id ? { ok: false, message: 'invalid: the stored event does not match the row it is filed under' } : checked,
        })
      }
      return rows
    },
  }
}
