import { createHash } from 'node:crypto'
import type { VendorRequest } from '#shared/delivery/http.ts'
import type { CollectedEvent } from '#shared/events/model.ts'
import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import type { MapContext, SendContext } from '#shared/vendors/contract.ts'
import type {
  LinkedinCredentials,
  LinkedinPayload,
  LinkedinSettings,
} from '#shared/vendors/linkedin/index.ts'
import { linkedinVendor } from '#shared/vendors/linkedin/index.ts'

export const NOW = new Date('2026-06-02T12:00:00.000Z')
export const TOKEN = 'AQV-secret-token_123'
export const LI_FAT_ID = 'df8d7a3c-1b2e-4f5a-9c8d-7e6f5a4b3c2d'
export const ORDER_RULE = 'urn:lla:llaPartnerConversion:1001'
export const PRICING_RULE = 'urn:lla:llaPartnerConversion:1002'
export const SIGNUP_RULE = 'urn:lla:llaPartnerConversion:1003'

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** The admin's settings as the config table would give them: parsed, so defaults apply. */
export function linkedinSettings(overrides: Record<string, unknown> = {}): LinkedinSettings {
  return linkedinVendor.settingsSchema.parse({
    enabled: true,
    conversions: [
      { event: 'Order Completed', conversion: ORDER_RULE },
      { pagePath: '/pricing/**', conversion: PRICING_RULE },
      { event: 'Signed Up', pagePath: '/signup', conversion: SIGNUP_RULE },
    ],
    ...overrides,
  })
}

/** A scrubbed event as the collector hands it over; override what a test is about. */
export function collectedEvent(overrides: Partial<CollectedEvent> = {}): CollectedEvent {
  return {
    messageId: 'msg-1',
    type: 'track',
    name: 'Order Completed',
    siteId: 'shop',
    visitorId: 'visitor-1',
    timestamp: '2026-06-02T11:59:00.000Z',
    receivedAt: '2026-06-02T11:59:01.000Z',
    page: { url: 'https://shop.example/checkout', path: '/checkout', title: 'Checkout' },
    properties: { value: 42.5, currency: 'EUR' },
    context: {
      ip: '203.0.113.0',
      device: { category: 'desktop', browser: 'Firefox', os: 'Linux' },
      gpc: false,
    },
    ...overrides,
  }
}

/** What the edge derives for LinkedIn from ` Test@Example.com ` and the landing URL's li_fat_id. */
export const IDENTITY: GrantedIdentity = { email: sha256('test@example.com'), liFatId: LI_FAT_ID }

export interface RecordingContext extends MapContext<LinkedinSettings> {
  drops: Array<{ field: string; reason: string }>
}

export function mapContext(
  settings: LinkedinSettings = linkedinSettings(),
  marketingAllowed = true,
): RecordingContext {
  const drops: Array<{ field: string; reason: string }> = []
  return {
    settings,
    pseudonyms: { consentKey: (id) => `ck-${id.length}`, ga4ClientId: (id) => `ga-${id.length}` },
    marketingAllowed,
    now: NOW,
    dropped: (field, reason) => drops.push({ field, reason }),
    drops,
  }
}

export function sendContext(
  settings: LinkedinSettings = linkedinSettings(),
  overrides: Partial<SendContext<LinkedinSettings, LinkedinCredentials>> = {},
): SendContext<LinkedinSettings, LinkedinCredentials> {
  return { settings, credentials: { accessToken: TOKEN }, now: NOW, ...overrides }
}

/** The payload of the fixture event; fails the test when it does not map. */
export function fixturePayload(overrides: Partial<CollectedEvent> = {}): LinkedinPayload {
  const payload = linkedinVendor.toPayload(collectedEvent(overrides), IDENTITY, mapContext())
  if (payload === null) throw new Error('the fixture event must map')
  return payload
}

/** The single request a one-event batch becomes. */
export function requestFor(payload: LinkedinPayload, settings = linkedinSettings()): VendorRequest {
  const [request, ...others] = linkedinVendor.buildRequests(
    [{ messageId: payload.eventId, payload }],
    sendContext(settings),
  )
  if (!request || others.length > 0) throw new Error('one event must make exactly one request')
  return request
}
