// The origin's numeric limits, in one place (ORIGIN-RELAY.md §6, §7).

export const MAX_FRAME_BYTES = 65_536
export const MAX_SUBSCRIPTIONS = 1024
export const MAX_FILTERS = 10
export const MAX_SUB_ID_BYTES = 256
/** What NIP-11 advertises as `max_limit`. */
export const ADVERTISED_MAX_LIMIT = 10_000
/** What one filter returns at most: the database clamps every query. */
export const MAX_RESULTS_PER_FILTER = 1000
export const CLOCK_WINDOW_SECONDS = 900
export const MAX_CONTENT_BYTES = 262_144
export const MAX_D_TAG_BYTES = 1024
export const MAX_THREAD_DEPTH = 100
export const AUTH_WINDOW_SECONDS = 60
export const HTTP_AUTH_WINDOW_SECONDS = 60
export const REPLAY_MEMORY_SECONDS = 120
export const MAX_BODY_BYTES = 1024 * 1024
