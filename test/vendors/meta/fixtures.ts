import { createHash } from 'node:crypto'
import type { VendorRequest } from '#shared/delivery/http.ts'
import type { CollectedEvent } from '#shared/events/model.ts'
import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import type { MapContext, SendContext } from '#shared/vendors/contract.ts'
import type { MetaCredentials, MetaPayload, MetaSettings } from '#shared/vendors/meta/index.ts'
import { metaVendor } from '#shared/vendors/meta/index.ts'

export const NOW = new Date('2026-06-02T12:00:00.000Z')
export const TOKEN = 'EAAB-secret-token_123'

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** The admin's settings as the config table would give them: parsed, so defaults apply. */
export function metaSettings(overrides: Record<string, unknown> = {}): MetaSettings {
  return metaVendor.settingsSchema.parse({ enabled: true, pixelId: '123456789012345', ...overrides })
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

export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
export const FBP = 'fb.1.1717329600000.1234567890'
export const FBC = 'fb.1.1717329600000.IwAR2-abc_DEF'

/** What the edge derives for Meta from `John_Smith@gmail.com`, `(650)555-1212`, `Mary`, …: already hashed. */
export const IDENTITY: GrantedIdentity = {
  email: sha256('john_smith@gmail.com'),
  phone: sha256('16505551212'),
  firstName: sha256('mary'),
  lastName: sha256('smith'),
  city: sha256('menlopark'),
  postcode: sha256('94025'),
  country: sha256('us'),
  externalId: 'a'.repeat(64),
  userAgent: USER_AGENT,
  fbp: FBP,
  fbc: FBC,
}

export interface RecordingContext extends MapContext<MetaSettings> {
  drops: Array<{ field: string; reason: string }>
}

export function mapContext(
  settings: MetaSettings = metaSettings(),
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
  settings: MetaSettings = metaSettings(),
  overrides: Partial<SendContext<MetaSettings, MetaCredentials>> = {},
): SendContext<MetaSettings, MetaCredentials> {
  return { settings, credentials: { accessToken: TOKEN }, now: NOW, ...overrides }
}

/** The single request a one-event batch becomes. */
export function requestFor(payload: MetaPayload, settings: MetaSettings = metaSettings()): VendorRequest {
  const [request, ...others] = metaVendor.buildRequests(
    [{ messageId: payload.event_id, payload }],
    sendContext(settings),
  )
  if (!request || others.length > 0) throw new Error('one event must make exactly one request')
  return request
}
