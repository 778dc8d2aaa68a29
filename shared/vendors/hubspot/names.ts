/**
 * HubSpot internal names (vendors.md §4.2): start with a letter, then `a-z0-9_`, ≤ 50 characters.
 * One bounded character class after a fixed first one: linear.
 */
export const HUBSPOT_INTERNAL_NAME = /^[a-z][a-z0-9_]{0,49}$/
/** A HubSpot portal (Hub) id. */
export const HUBSPOT_PORTAL_ID = /^\d{1,20}$/
/** The fully-qualified event name `pe{portalId}_{internal name}`. */
export const HUBSPOT_EVENT_NAME = /^pe\d{1,20}_[a-z][a-z0-9_]{0,49}$/
/** The `hubspotutk` cookie as the edge checks it (shared/identity/formats.ts). */
export const HUBSPOT_UTK = /^[0-9a-fA-F]{32}$/

export function qualifiedEventName(portalId: string, internalName: string): string {
  return `pe${portalId}_${internalName}`
}
