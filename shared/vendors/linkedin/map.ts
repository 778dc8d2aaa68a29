import type { CollectedEvent } from '#shared/events/model.ts'
import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import type { MapContext } from '../contract.ts'
import { linkedinConversionValue } from './conversion-value.ts'
import { LINKEDIN_MAX_EVENT_ID_CHARS } from './limits.ts'
import type { LinkedinPayload } from './payload.ts'
import { matchingRule } from './rules.ts'
import type { LinkedinSettings } from './settings.ts'
import { linkedinUserIds } from './user-ids.ts'

/**
 * The conversion LinkedIn receives for an allowed page or track event, or null when LinkedIn takes
 * nothing from it: identify calls, events without marketing permission, events no conversion rule
 * maps, and events without a user id to attribute them to (the trace says which).
 */
export function toPayload(
  event: CollectedEvent,
  identity: GrantedIdentity,
  context: MapContext<LinkedinSettings>,
): LinkedinPayload | null {
  if (event.type === 'identify') return null
  if (!context.marketingAllowed) {
    context.dropped('event', 'LinkedIn receives conversions only with the marketing purpose')
    return null
  }
  const rule = matchingRule(event, context.settings.conversions)
  if (rule === undefined) {
    context.dropped('conversion', 'no conversion rule in linkedin.conversions matches this event')
    return null
  }
  if (event.messageId === '' || event.messageId.length > LINKEDIN_MAX_EVENT_ID_CHARS) {
    context.dropped('eventId', `messageId empty or longer than ${LINKEDIN_MAX_EVENT_ID_CHARS} characters`)
    return null
  }
  const userIds = linkedinUserIds(identity, context.dropped)
  if (userIds.length === 0) {
    context.dropped('user.userIds', 'no hashed e-mail and no li_fat_id: LinkedIn cannot attribute it')
    return null
  }
  const value =
    event.type === 'track' ? linkedinConversionValue(event.properties, context.dropped) : undefined
  return {
    conversion: rule.conversion,
    conversionHappenedAt: happenedAtMs(event.timestamp, context.now),
    ...(value ? { conversionValue: value } : {}),
    eventId: event.messageId,
    user: { userIds },
  }
}

/**
 * Epoch ms in [1, now]; an unreadable time counts as now. Not clamped to the 90-day window: an event
 * too old for LinkedIn is parked at send time (`unsendable`) rather than sent with a false time.
 */
function happenedAtMs(timestamp: string, now: Date): number {
  const parsed = Date.parse(timestamp)
  const ms = Number.isNaN(parsed) ? now.getTime() : Math.min(parsed, now.getTime())
  return Math.max(1, Math.floor(ms))
}
