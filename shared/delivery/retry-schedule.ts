import { MAX_REDELIVERY_DELAY_SECONDS } from './redelivery.ts'

/** The first retry waits up to this long; each further receive doubles the ceiling. */
export const RETRY_BASE_DELAY_SECONDS = 2
/** The backoff ceiling stops growing here, so a long outage is retried every ≤ 15 min until the DLQ. */
export const RETRY_MAX_BACKOFF_SECONDS = 15 * 60
/** Doubling past this many receives cannot raise the ceiling any further (2 s × 2^10 > 15 min). */
const MAX_DOUBLINGS = 30

/**
 * Seconds until a failed record is received again: exponential backoff with full jitter by the
 * record's receive count (1 on its first receive), never sooner than the vendor's Retry-After, never
 * past what ChangeMessageVisibility accepts. `random` is in [0, 1), as Math.random.
 */
export function retryDelaySeconds(
  receiveCount: number,
  retryAfterSeconds: number | undefined,
  random: number,
): number {
  const doublings = Math.min(MAX_DOUBLINGS, Math.max(0, Math.floor(receiveCount) - 1))
  const ceiling = Math.min(RETRY_MAX_BACKOFF_SECONDS, RETRY_BASE_DELAY_SECONDS * 2 ** doublings)
  const jitter = Math.min(Math.max(random, 0), 1)
  const backoff = Math.floor(jitter * ceiling)
  const asked = Math.ceil(Math.max(0, retryAfterSeconds ?? 0))
  return Math.min(MAX_REDELIVERY_DELAY_SECONDS, Math.max(asked, backoff))
}
