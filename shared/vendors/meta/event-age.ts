import {
  META_EVENT_AGE_SAFETY_SECONDS,
  META_MAX_EVENT_AGE_SECONDS,
  MILLISECONDS_PER_SECOND,
} from './limits.ts'
import type { MetaPayload } from './payload.ts'

/**
 * Why this event must be parked instead of sent, or null. Meta fails a whole request when one event
 * is older than 7 days (vendors.md §2.1), so an event near that edge never joins a request.
 */
export function metaUnsendable(payload: MetaPayload, now: Date): string | null {
  const nowSeconds = Math.floor(now.getTime() / MILLISECONDS_PER_SECOND)
  const oldestSendable = nowSeconds - META_MAX_EVENT_AGE_SECONDS + META_EVENT_AGE_SAFETY_SECONDS
  if (payload.event_time >= oldestSendable) return null
  const ageHours = Math.floor((nowSeconds - payload.event_time) / 3600)
  return `event_time is ${ageHours} h old: Meta refuses events older than 7 days (and the whole request with them)`
}
