import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '#shared/config/load.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { anonymise } from '#shared/ingest/anonymise.ts'
import { ga4Adapter, toGa4Payload } from '../../support/ga4.ts'
import { phoneNumber, revealsPhone } from '../privacy/generators.ts'

const ga4Config = parseConfig({
  sites: [{ id: 'example', writeKeys: ['write-key-1'], allowedOrigins: ['https://www.example.com'] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-TEST123', sendTruncatedIp: true } },
}).vendors.ga4
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

type Placement = (pii: string) => Partial<IncomingEvent>
const placements: Record<string, Placement> = {
  'query value': (pii) => ({ context: { page: { url: `https://www.example.com/p?x=${pii}` } } }),
  'encoded query value': (pii) => ({
    context: { page: { url: `https://www.example.com/p?x=${encodeURIComponent(pii)}` } },
  }),
  'path segment': (pii) => ({ context: { page: { url: `https://www.example.com/u/${pii}/edit` } } }),
  fragment: (pii) => ({ context: { page: { url: `https://www.example.com/p#${pii}` } } }),
  referrer: (pii) => ({ context: { page: { referrer: `https://other.example/?ref=${pii}` } } }),
  title: (pii) => ({ context: { page: { title: `Welcome back ${pii}!` } } }),
  'property value': (pii) => ({ properties: { note: `contact ${pii} soon` } }),
  'property named email': (pii) => ({ properties: { email: pii } }),
}

function sentRequests(event: IncomingEvent) {
  const now = new Date()
  const anonymised = anonymise(event, {
    siteId: 'example',
    truncatedIp: '203.0.113.0',
    userAgent: BROWSER_UA,
    gpc: false,
    receivedAt: now,
  })
  if (!anonymised.ok) throw new Error(anonymised.reason)
  const payload = toGa4Payload(anonymised.event, {
    clientId: '123.456',
    marketingAllowed: false,
    sendTruncatedIp: true,
    now,
  })
  if (!payload || !ga4Config) throw new Error('expected a GA4 payload')
  return ga4Adapter(ga4Config, 'secret').buildRequests([{ messageId: event.messageId, payload }])
}

function requestText(event: IncomingEvent): string {
  return JSON.stringify(sentRequests(event))
}

/** Every string a GA4 request carries: its URL and each string in its JSON body. */
function sentStrings(event: IncomingEvent): string[] {
  const strings: string[] = []
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (value && typeof value === 'object') Object.values(value).forEach(walk)
  }
  for (const request of sentRequests(event)) {
    strings.push(request.url)
    walk(JSON.parse(request.body))
  }
  return strings
}

function eventWith(type: 'page' | 'track', place: Placement, pii: string): IncomingEvent {
  return {
    type,
    messageId: 'm-1',
    anonymousId: 'visitor-1',
    ...(type === 'track' ? { event: 'Viewed' } : {}),
    properties: {},
    traits: {},
    context: { userAgent: BROWSER_UA },
    ...place(pii),
  }
}

describe('PII placed anywhere in an event never reaches a GA4 request', () => {
  for (const [where, place] of Object.entries(placements)) {
    it(`e-mail in the ${where}`, () => {
      fc.assert(
        fc.property(fc.emailAddress(), fc.constantFrom<'page' | 'track'>('page', 'track'), (email, type) => {
          const event = eventWith(type, place, email)
          const text = requestText(event).toLowerCase()
          expect(text).not.toContain(email.toLowerCase())
          expect(text).not.toContain(encodeURIComponent(email).toLowerCase())
        }),
        { numRuns: 100 },
      )
    })
  }

  for (const [where, place] of Object.entries(placements)) {
    it(`phone number in the ${where}`, () => {
      fc.assert(
        fc.property(phoneNumber, fc.constantFrom<'page' | 'track'>('page', 'track'), (phone, type) => {
          const leaked = sentStrings(eventWith(type, place, phone)).filter((text) =>
            revealsPhone(text, phone),
          )
          expect(leaked).toEqual([])
        }),
        { numRuns: 100 },
      )
    })
  }
})
