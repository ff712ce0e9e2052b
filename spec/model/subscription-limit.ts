/**
 * The origin relay's cap on open subscriptions per connection
 * (crates/buzz-relay/src/handlers/req.rs `handle_req`; also its NIP-11 `max_subscriptions`).
 * A REQ reusing an open subscription's id replaces it and is not counted.
 */

export const OriginMaxSubscriptions = 1024
/** CLOSED message of a REQ that would open one subscription more. */
export const SubscriptionLimitRefusal = 'error: too many subscriptions'
