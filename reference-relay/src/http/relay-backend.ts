/**
 * The bridge's backend over the relay's own stages: events go through the ingester (the
 * same pipeline as a WebSocket EVENT), plain filters through the req-worker (the same
 * answers as REQ and COUNT), thread reads through storage. Test faults of the `thread` and
 * `http` areas are applied here, at the point where a real relay would have them.
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import { matchFilterInScope } from '../../../spec/model/scope.ts'
import { selectTopLevel, type ThreadedEvent } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { FaultSet } from '../faults.ts'
import type { Ingester } from '../ingester.ts'
import type { ReqWorker } from '../req-worker.ts'
import type { EventStore } from '../storage/event-store.ts'
import type { BridgeBackend, SubmitOutcome } from './bridge.ts'
import type { QueryPart } from './query-plan.ts'

export interface RelayBackendDeps {
  ingester: Pick<Ingester, 'submitEvent'>
  reqWorker: Pick<ReqWorker, 'query' | 'count'>
  store: EventStore
  faults: FaultSet
}

export function createRelayBackend(deps: RelayBackendDeps): BridgeBackend {
  const { ingester, reqWorker, store, faults } = deps

  const threadReplies = (query: ThreadQuery, conditions: Filter): NostrEvent[] => {
    if (faults.size === 0) return store.threadReplies(query, conditions)
    let depthLimit = query.depthLimit
    if (faults.has('thread-depth-limit-exclusive')) depthLimit -= 1
    let replies = depthLimit < 1 ? [] : store.threadReplies({ ...query, depthLimit }, conditions)
    if (faults.has('thread-query-newest-first')) replies = replies.reverse()
    if (faults.has('thread-query-includes-root')) {
      const root = store.get(query.root)
      if (root !== undefined && matchFilterInScope(conditions, root)) replies = [root, ...replies].slice(0, query.limit)
    }
    return replies
  }

  const topLevel = (query: TopLevelQuery, conditions: Filter): NostrEvent[] => {
    const bentDepth2 = faults.has('thread-top-level-broadcast-depth-2')
    const bentDepth1 = faults.has('thread-top-level-non-broadcast-depth-1')
    if (!bentDepth2 && !bentDepth1) return store.topLevel(query, conditions)
    // The defects misjudge which replies are top-level: re-judge every channel event.
    const entries: ThreadedEvent[] = []
    for (const event of store.query({ ...conditions, '#h': [query.channel], limit: undefined })) {
      const thread = store.getThreaded(event.id)?.thread ?? null
      if (thread === null) entries.push({ event, thread })
      else if (bentDepth2 && thread.depth === 2 && thread.broadcast) entries.push({ event, thread: { ...thread, depth: 1 } })
      else if (bentDepth1 && thread.depth === 1) entries.push({ event, thread: { ...thread, broadcast: true } })
      else entries.push({ event, thread })
    }
    return selectTopLevel(entries, query, conditions)
  }

  return {
    submitEvent: (event) =>
      new Promise<SubmitOutcome>((resolve) => {
        ingester.submitEvent(event, (outcome) => {
          if (faults.has('http-duplicate-refused') && outcome.accepted && outcome.message.startsWith('duplicate:')) {
            resolve({ ...outcome, accepted: false })
          } else resolve(outcome)
        })
      }),
    query: (filters) => reqWorker.query(filters),
    threadReplies,
    topLevel,
    count: (filters) => reqWorker.count(filters),
    matchingIds: (part: QueryPart) => {
      switch (part.type) {
        case 'filter':
          return store.query(part.filter).map((event) => event.id)
        case 'thread':
          return threadReplies(part.query, part.conditions).map((event) => event.id)
        case 'top-level':
          return topLevel(part.query, part.conditions).map((event) => event.id)
      }
    },
  }
}
