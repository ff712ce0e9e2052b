// NIP-10 thread resolution for channel kinds, as crates/buzz-relay/src/handlers/ingest.rs
// `resolve_nip10_thread_meta` does it, and the thread records crates/buzz-db/src/event.rs
// `insert_event_with_thread_metadata` writes.
import type { DefectSet } from './defects.ts'
import { isHex, type NostrEvent } from './event.ts'
import { MAX_THREAD_DEPTH } from './limits.ts'
import type { Store, ThreadRecord } from './store.ts'

export type ThreadResolution = { ok: true; record: ThreadRecord | null; parentId: string | null } | { ok: false; error: string }

interface Markers {
  root: string | null
  reply: string | null
}

function readMarkers(event: NostrEvent, defects: DefectSet): Markers {
  const markers: Markers = { root: null, reply: null }
  const firstWins = defects.has('first-marker-wins')
  for (const t of event.tags) {
    if (t[0] !== 'e') continue
    let marker: string | undefined
    if (t.length >= 4) marker = t[3]
    else if (t.length === 3 && defects.has('three-element-marker-read')) marker = t[2]
    const id = t[1] as string
    if (marker === undefined || !isHex(id, 64)) continue
    if (marker === 'root' && !(firstWins && markers.root)) markers.root = id.toLowerCase()
    if (marker === 'reply' && !(firstWins && markers.reply)) markers.reply = id.toLowerCase()
  }
  return markers
}

/** The root a parent without a thread record implies: its first root mark, else first reply mark, else itself. */
function rootFromParentTags(parent: NostrEvent): string {
  for (const marker of ['root', 'reply']) {
    const t = parent.tags.find((x) => x.length >= 4 && x[0] === 'e' && x[3] === marker && isHex(x[1] as string, 64))
    if (t) return (t[1] as string).toLowerCase()
  }
  return parent.id
}

export function resolveThread(event: NostrEvent, channelId: string, store: Store, defects: DefectSet): ThreadResolution {
  const { root, reply } = readMarkers(event, defects)
  let clientRoot: string
  let parentId: string
  if (reply !== null) {
    parentId = reply
    clientRoot = root ?? reply
  } else if (root !== null && defects.has('root-alone-is-reply')) {
    parentId = root
    clientRoot = root
  } else {
    return { ok: true, record: null, parentId: null }
  }

  const parent = store.getLive(parentId)
  if (!parent) {
    return { ok: false, error: defects.has('thread-text-differs') ? 'parent event not found' : 'reply parent not found' }
  }
  if (parent.channelId === null) return { ok: false, error: 'parent event has no channel association' }
  if (parent.channelId !== channelId) return { ok: false, error: 'parent event belongs to a different channel' }

  const maxDepth = defects.has('depth-limit-99') ? MAX_THREAD_DEPTH - 1 : MAX_THREAD_DEPTH
  const parentRecord = store.thread(parentId)
  let rootId: string
  let depth: number
  if (parentRecord) {
    rootId = parentRecord.rootId ?? parentId
    if (clientRoot !== rootId) return { ok: false, error: 'root tag does not match thread ancestry' }
    depth = parentRecord.depth + 1
    if (depth > maxDepth) return { ok: false, error: 'thread depth limit exceeded' }
  } else {
    rootId = rootFromParentTags(parent.event)
    if (clientRoot !== rootId) return { ok: false, error: 'root tag does not match thread ancestry' }
    depth = rootId === parentId ? 1 : 2
  }
  const broadcast = event.tags.some((t) => t.length >= 2 && t[0] === 'broadcast' && t[1] === '1')
  return { ok: true, parentId, record: { channelId, parentId, rootId, depth, broadcast } }
}

/** After the reply is stored: its record, and depth-0 stubs for its parent and root. */
export function recordThread(store: Store, eventId: string, record: ThreadRecord): void {
  store.addThread(eventId, record)
  const stub = { channelId: record.channelId, parentId: null, rootId: null, depth: 0, broadcast: false }
  if (record.parentId !== null) store.addThread(record.parentId, stub)
  if (record.rootId !== null && record.rootId !== record.parentId) store.addThread(record.rootId, stub)
}
