import type { CollectedEvent } from '#shared/events/model.ts'
import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import type { MapContext } from '../contract.ts'
import { metaCustomData } from './custom-data.ts'
import { META_MAX_URL_CHARS, MILLISECONDS_PER_SECOND } from './limits.ts'
import { metaTrackEventName } from './names.ts'
import { isHttpUrl, type MetaPayload } from './payload.ts'
import type { MetaSettings } from './settings.ts'
import { metaUserData } from './user-data.ts'

/**
 * The server event Meta receives for an allowed page or track event, or null when Meta takes nothing
 * from it: identify calls (they only feed stored traits), events without marketing permission, and
 * events a website event cannot be made of (no page URL or no user agent; the trace says which).
 */
export function toPayload(
  event: CollectedEvent,
  identity: GrantedIdentity,
  context: MapContext<MetaSettings>,
): MetaPayload | null {
  if (event.type === 'identify') return null
  if (!context.marketingAllowed) {
    context.dropped('event', 'Meta receives events only with the marketing purpose')
    return null
  }
  const { settings } = context
  const url = pageUrl(event.page.url)
  if (url === null) {
    context.dropped('event_source_url', 'no absolute http(s) page URL: website events need one')
    return null
  }
  const user = metaUserData(
    identity,
    { allowed: settings.sendTruncatedIp, address: event.context.ip },
    context.dropped,
  )
  if (!user.ok) {
    context.dropped(user.field, user.reason)
    return null
  }
  const customData =
    event.type === 'track'
      ? metaCustomData(event.properties, settings.customData, context.dropped)
      : undefined
  return {
    event_name: event.type === 'page' ? 'PageView' : metaTrackEventName(event.name, settings.eventNames),
    event_time: eventTimeSeconds(event.timestamp, context.now),
    event_id: event.messageId,
    action_source: 'website',
    event_source_url: url,
    user_data: user.userData,
    ...(customData ? { custom_data: customData } : {}),
    ...(settings.limitedDataUse
      ? {
          data_processing_options: ['LDU'],
          data_processing_options_country: 0,
          data_processing_options_state: 0,
        }
      : { data_processing_options: [] }),
  }
}

/** The scrubbed page URL when it is an absolute http(s) URL Meta can take. */
function pageUrl(url: string | undefined): string | null {
  if (url === undefined || url.length > META_MAX_URL_CHARS) return null
  return isHttpUrl(url) ? url : null
}

/**
 * Unix seconds in [1, now]; an unreadable time counts as now. Not clamped to the 7-day window: an
 * event too old for Meta is parked at send time (`unsendable`) rather than sent with a false time.
 */
function eventTimeSeconds(timestamp: string, now: Date): number {
  const parsed = Date.parse(timestamp)
  const ms = Number.isNaN(parsed) ? now.getTime() : Math.min(parsed, now.getTime())
  return Math.max(1, Math.floor(ms / MILLISECONDS_PER_SECOND))
}
