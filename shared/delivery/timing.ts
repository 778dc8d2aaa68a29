/**
 * How long a deliverer may run and how long its queue hides a received message, derived from the
 * vendor's request timeout. Plain data and arithmetic: infra sizes the deployed function and queue
 * with it, and the local queues use the very same numbers.
 */

/** Never less than this, whatever the vendor's request timeout. */
const MIN_DELIVERER_TIMEOUT_SECONDS = 30
/**
 * A batch's vendor requests go out in parallel (one request timeout); the rest covers the consent
 * look-ups before them and the dead-letter parking after, with margin. Retries are SQS redeliveries.
 */
const REQUEST_ROUNDS_PER_INVOCATION = 3
/** AWS's rule for SQS event sources: visibility at least six times the function timeout plus the batching window. */
const VISIBILITY_TO_TIMEOUT_RATIO = 6

export function delivererTimeoutSeconds(requestTimeoutMs: number): number {
  const neededSeconds = Math.ceil((REQUEST_ROUNDS_PER_INVOCATION * requestTimeoutMs) / 1000)
  return Math.max(MIN_DELIVERER_TIMEOUT_SECONDS, neededSeconds)
}

export function visibilityTimeoutSeconds(timeoutSeconds: number, batchingWindowSeconds: number): number {
  return timeoutSeconds * VISIBILITY_TO_TIMEOUT_RATIO + batchingWindowSeconds
}

/**
 * Receives before a message moves to the vendor's DLQ, deployed and local alike: with the deliverer's
 * backoff (2 s doubling to a 15 min cap, full jitter) that is up to about an hour of retries
 * (docs/deploy.md "Retries").
 */
export const DEFAULT_MAX_RECEIVE_COUNT = 12
