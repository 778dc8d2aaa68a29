import type { CollectedEvent } from '#shared/events/model.ts'
import { type Ga4AllowList, ga4AllowList } from '#shared/vendors/ga4/allow-list.ts'
import { ga4ParamName } from '#shared/vendors/ga4/names.ts'
import type { Ga4Settings } from '#shared/vendors/ga4/settings.ts'
import type { Ga4PayloadContext } from '../../support/ga4.ts'

export const NOW = new Date('2025-06-02T12:00:00.000Z')

export const GA4_CONFIG: Ga4Settings = {
  enabled: true,
  legalBasis: 'consent',
  measurementId: 'G-TEST123',
  endpoint: 'eu',
  sendTruncatedIp: false,
  timeoutMs: 5_000,
  transfer: { country: 'US', safeguard: 'dpf' },
  forwardPageTitle: false,
}

export const GA4_CONTEXT: Ga4PayloadContext = {
  clientId: '1234567890.1234567890',
  marketingAllowed: false,
  sendTruncatedIp: false,
  now: NOW,
}

/** A scrubbed event as the collector hands it over; override what a test is about. */
export function collectedEvent(overrides: Partial<CollectedEvent> = {}): CollectedEvent {
  return {
    messageId: 'msg-1',
    type: 'track',
    name: 'Order Completed',
    siteId: 'shop',
    visitorId: 'visitor-1',
    timestamp: '2025-06-02T11:59:00.000Z',
    receivedAt: '2025-06-02T11:59:01.000Z',
    page: { url: 'https://shop.example/checkout', path: '/checkout', title: 'Checkout' },
    properties: { total: 42.5, currency: 'EUR' },
    context: {
      ip: '203.0.113.0',
      device: { category: 'desktop', browser: 'Firefox', os: 'Linux' },
      gpc: false,
    },
    ...overrides,
  }
}

/** An allow-list that lets every property of the event through, and the title: for tests of the mapping itself. */
export function allowingAllOf(event: Pick<CollectedEvent, 'properties'>): Ga4AllowList {
  const names = Object.keys(event.properties).flatMap((key) => ga4ParamName(key) ?? [])
  return ga4AllowList({ forwardProperties: names, forwardPageTitle: true })
}
