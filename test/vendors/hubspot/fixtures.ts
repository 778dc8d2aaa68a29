import type { CollectedEvent } from '#shared/events/model.ts'
import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import type { MapContext, SendContext } from '#shared/vendors/contract.ts'
import type {
  HubspotCredentials,
  HubspotEventPayload,
  HubspotSettings,
} from '#shared/vendors/hubspot/index.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'

export const NOW = new Date('2026-06-02T12:00:00.000Z')
export const TOKEN = 'pat-eu1-0123abcd-secret-token'
export const PORTAL_ID = '12345678'
export const UTK = '0123456789abcdef0123456789abcdef'
export const IDENTITY: GrantedIdentity = { hubspotutk: UTK }

/** The admin's settings as the config table would give them: parsed, so defaults apply. */
export function hubspotSettings(overrides: Record<string, unknown> = {}): HubspotSettings {
  return hubspotVendor.settingsSchema.parse({
    enabled: true,
    portalId: PORTAL_ID,
    eventNames: { 'Signed Up': 'signed_up', 'Demo Booked': 'demo_booked' },
    pageViewEventName: 'page_viewed',
    properties: ['plan', 'seats', 'trial', 'docs_url'],
    ...overrides,
  })
}

/** A scrubbed event as the collector hands it over; override what a test is about. */
export function collectedEvent(overrides: Partial<CollectedEvent> = {}): CollectedEvent {
  return {
    messageId: 'msg-1',
    type: 'track',
    name: 'Signed Up',
    siteId: 'shop',
    visitorId: 'visitor-1',
    timestamp: '2026-06-02T11:59:00.000Z',
    receivedAt: '2026-06-02T11:59:01.000Z',
    page: { url: 'https://shop.example/pricing', path: '/pricing', title: 'Pricing' },
    properties: { plan: 'pro', seats: 5, trial: true, secret_note: 'not allowed' },
    context: { ip: '203.0.113.0', device: { category: 'desktop' }, gpc: false },
    ...overrides,
  }
}

export interface RecordingContext extends MapContext<HubspotSettings> {
  drops: Array<{ field: string; reason: string }>
}

export function mapContext(settings: HubspotSettings = hubspotSettings()): RecordingContext {
  const drops: Array<{ field: string; reason: string }> = []
  return {
    settings,
    pseudonyms: { consentKey: (id) => `ck-${id.length}`, ga4ClientId: (id) => `ga-${id.length}` },
    marketingAllowed: false,
    now: NOW,
    dropped: (field, reason) => drops.push({ field, reason }),
    drops,
  }
}

export function sendContext(
  settings: HubspotSettings = hubspotSettings(),
  overrides: Partial<SendContext<HubspotSettings, HubspotCredentials>> = {},
): SendContext<HubspotSettings, HubspotCredentials> {
  return { settings, credentials: { accessToken: TOKEN }, now: NOW, ...overrides }
}

export function mapped(
  event: CollectedEvent = collectedEvent(),
  settings = hubspotSettings(),
): HubspotEventPayload {
  const payload = hubspotVendor.toPayload(event, IDENTITY, mapContext(settings))
  if (payload === null) throw new Error('the fixture event must map')
  return payload
}
