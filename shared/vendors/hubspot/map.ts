import type { CollectedEvent } from '#shared/events/model.ts'
import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import type { MapContext } from '../contract.ts'
import { HUBSPOT_UTK, qualifiedEventName } from './names.ts'
import type { HubspotEventPayload } from './payload.ts'
import { hubspotProperties } from './properties.ts'
import type { HubspotSettings } from './settings.ts'
import { eventUuid } from './uuid.ts'

/**
 * The custom behavioural event HubSpot receives for an allowed page or track event (the analytics
 * purpose is checked by the edge through `purposes`), or null: identify calls, track events the admin
 * mapped to no HubSpot event, page views when no page view event is configured, and events of a
 * visitor without a `hubspotutk` cookie (HubSpot could tie them to no record).
 */
export function toPayload(
  event: CollectedEvent,
  identity: GrantedIdentity,
  context: MapContext<HubspotSettings>,
): HubspotEventPayload | null {
  if (event.type === 'identify') return null
  const { settings } = context
  const internalName = eventInternalName(event, settings)
  if (internalName === null) {
    context.dropped(
      'eventName',
      event.type === 'page'
        ? 'no pageViewEventName configured: page views are not sent to HubSpot'
        : 'track event not mapped in eventNames: not sent to HubSpot',
    )
    return null
  }
  const utk = identity.hubspotutk
  if (utk === undefined || !HUBSPOT_UTK.test(utk)) {
    context.dropped('utk', 'no hubspotutk cookie: HubSpot could tie the event to no record')
    return null
  }
  const pageUrl =
    settings.pageUrlProperty === undefined
      ? undefined
      : { name: settings.pageUrlProperty, url: event.page.url }
  const properties = event.type === 'track' ? event.properties : {}
  return {
    eventName: qualifiedEventName(settings.portalId, internalName),
    utk,
    uuid: eventUuid(event.messageId),
    occurredAt: occurredAt(event.timestamp, context.now),
    properties: hubspotProperties(properties, settings.properties, pageUrl, context.dropped),
  }
}

function eventInternalName(event: CollectedEvent, settings: HubspotSettings): string | null {
  if (event.type === 'page') return settings.pageViewEventName ?? null
  const name = event.name ?? ''
  return Object.hasOwn(settings.eventNames, name) ? (settings.eventNames[name] ?? null) : null
}

/** ISO UTC in [1970, now]; an unreadable time counts as now. */
function occurredAt(timestamp: string, now: Date): string {
  const parsed = Date.parse(timestamp)
  const ms = Number.isNaN(parsed) ? now.getTime() : Math.min(parsed, now.getTime())
  return new Date(Math.max(0, ms)).toISOString()
}
