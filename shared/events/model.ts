import type { Purposes } from '#shared/consent/model.ts'

export type EventType = 'page' | 'track' | 'identify'
export type PropertyValue = string | number | boolean | null

export interface CoarseDevice {
  category: 'desktop' | 'mobile' | 'tablet' | 'other'
  browser?: string
  os?: string
}

/**
 * An accepted event after anonymisation: what the collector works with once the request is parsed.
 * It holds no raw IP and no PII-bearing text; the visitor id stays inside the collector.
 */
export interface CollectedEvent {
  /** The event's identity from ingestion to every vendor (Segment `messageId`, kept or generated). */
  messageId: string
  type: EventType
  /** `track` event name as the site sent it. */
  name?: string
  siteId: string
  /** First-party visitor id (Segment `anonymousId`). Never leaves the collector in clear. */
  visitorId: string
  /** ISO 8601: when the event happened (client clock, clamped) */
  timestamp: string
  /** ISO 8601: when the collector received it */
  receivedAt: string
  /** Scrubbed page facts (page events, and page context of track events). */
  page: { url?: string; path?: string; title?: string; referrer?: string }
  /** Flat, scrubbed properties: PII-looking values and denylisted keys already removed. */
  properties: Record<string, PropertyValue>
  context: {
    /** Truncated client IP (IPv4 /24, IPv6 /48) or null. */
    ip: string | null
    device: CoarseDevice | null
    locale?: string
    /** Session id sent by the client (RudderStack `context.sessionId`), when it sent one. */
    sessionId?: string
    /**
     * The collector's session for the visitor (issue 11): the session cookie's, or the one kept next
     * to the visitor's consent, or one for this request only; its id is random, never the clock's.
     */
    session?: { id: string; number: number }
    /** The request carried `Sec-GPC: 1`. */
    gpc: boolean
    /** Consent flags carried inside the event; they can only narrow stored consent. */
    consent?: Partial<Purposes>
  }
}
