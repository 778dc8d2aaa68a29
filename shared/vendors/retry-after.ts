/** A vendor may ask for a pause; beyond an hour the backoff and the dead-letter queue take over. */
export const MAX_RETRY_AFTER_SECONDS = 60 * 60
const MILLISECONDS_PER_SECOND = 1000
const DELTA_SECONDS = /^\d{1,10}$/
/** Longer than any HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT` is 29), so Date.parse sees bounded input. */
const MAX_HEADER_CHARS = 64

/**
 * A `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP date) as seconds from `now`,
 * bounded to [0, MAX_RETRY_AFTER_SECONDS]; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  const text = value?.trim()
  if (!text || text.length > MAX_HEADER_CHARS) return undefined
  if (DELTA_SECONDS.test(text)) return Math.min(MAX_RETRY_AFTER_SECONDS, Number(text))
  // Date.parse also takes looser forms; only text that names a weekday-or-month date is read as one.
  if (!/[A-Za-z]{3}/.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  const seconds = Math.ceil((at - now.getTime()) / MILLISECONDS_PER_SECOND)
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, seconds))
}
