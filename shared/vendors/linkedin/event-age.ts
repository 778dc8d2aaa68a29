import { LINKEDIN_EVENT_AGE_SAFETY_MS, LINKEDIN_MAX_EVENT_AGE_MS } from './limits.ts'
import type { LinkedinPayload } from './payload.ts'

const MILLISECONDS_PER_HOUR = 60 * 60 * 1000

/** Why this conversion must be parked instead of sent, or null: LinkedIn rejects ones older than 90 days. */
export function linkedinUnsendable(payload: LinkedinPayload, now: Date): string | null {
  const oldestSendable = now.getTime() - LINKEDIN_MAX_EVENT_AGE_MS + LINKEDIN_EVENT_AGE_SAFETY_MS
  if (payload.conversionHappenedAt >= oldestSendable) return null
  const ageHours = Math.floor((now.getTime() - payload.conversionHappenedAt) / MILLISECONDS_PER_HOUR)
  return `conversionHappenedAt is ${ageHours} h old: LinkedIn rejects conversions older than 90 days`
}
