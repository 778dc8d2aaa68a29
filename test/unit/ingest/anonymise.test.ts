import { describe, expect, it } from 'vitest'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { anonymise, type RequestFacts } from '#shared/ingest/anonymise.ts'

const RECEIVED_AT = new Date('2026-03-01T12:00:00.000Z')
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

const facts: RequestFacts = {
  siteId: 'www',
  truncatedIp: '203.0.113.0',
  userAgent: CHROME,
  gpc: false,
  receivedAt: RECEIVED_AT,
}

function incoming(overrides: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    type: 'page',
    messageId: 'm-1',
    anonymousId: 'v-1',
    properties: {},
    traits: {},
    context: {},
    ...overrides,
  }
}

function collected(overrides: Partial<IncomingEvent>, requestFacts = facts) {
  const result = anonymise(incoming(overrides), requestFacts)
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

describe('anonymise', () => {
  it('corrects the visitor’s clock by the gap between sentAt and receipt', () => {
    const event = collected({ timestamp: '2026-03-01T13:59:58.000Z', sentAt: '2026-03-01T14:00:00.000Z' })
    expect(event.timestamp).toBe('2026-03-01T11:59:58.000Z')
  })

  it('never dates an event in the future', () => {
    expect(collected({ timestamp: '2030-01-01T00:00:00.000Z' }).timestamp).toBe(RECEIVED_AT.toISOString())
  })

  it('drops identify traits entirely', () => {
    const event = collected({
      type: 'identify',
      traits: { email: 'jane@example.com' },
      properties: { plan: 'pro' },
    })
    expect(event.properties).toEqual({})
    expect(JSON.stringify(event)).not.toContain('jane@example.com')
  })

  it('scrubs a token out of a bare page path', () => {
    const event = collected({
      context: { page: { path: '/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl' } },
    })
    expect(event.page.path).not.toContain('eyJ')
  })

  it('uses the visitor’s own user agent from the event over the request’s (server-side clients)', () => {
    const event = collected({ context: { userAgent: IPHONE } })
    expect(event.context.device?.category).toBe('mobile')
  })

  it('takes userId as the visitor id when no anonymousId is sent', () => {
    expect(collected({ anonymousId: undefined, userId: 'u-7' }).visitorId).toBe('u-7')
  })

  it('refuses bots with a reason', () => {
    const result = anonymise(incoming(), { ...facts, userAgent: 'curl/8.5.0' })
    expect(result).toEqual({ ok: false, messageId: 'm-1', reason: 'bot or automated client', redactions: [] })
  })

  it('carries only the truncated IP it was given', () => {
    expect(collected({}).context.ip).toBe('203.0.113.0')
  })
})

describe('anonymise: the PII policy on every field', () => {
  it('renames an event whose name holds an e-mail address and says so in its trace', () => {
    const result = anonymise(incoming({ type: 'track', event: 'Contact jane@example.org' }), facts)
    if (!result.ok) throw new Error(result.reason)
    expect(result.event.name).toBe('redacted_event')
    expect(result.redactions).toEqual([
      { field: 'event', kind: 'eventName', detector: 'email', action: 'renamed' },
    ])
  })

  it('uses the configured neutral name', () => {
    const result = anonymise(incoming({ type: 'track', event: 'Call 030/1234567' }), {
      ...facts,
      neutralEventName: 'hidden_event',
    })
    expect(result.ok && result.event.name).toBe('hidden_event')
  })

  it("removes the visitor's own id from the page URL and properties", () => {
    const result = anonymise(
      incoming({
        anonymousId: '4f2c9a1e-77aa',
        properties: { ref: 'from 4f2c9a1e-77aa', plan: 'pro' },
        context: { page: { url: 'https://www.example.com/p?uid=4f2c9a1e-77aa&lang=de' } },
      }),
      facts,
    )
    if (!result.ok) throw new Error(result.reason)
    expect(result.event.page.url).toBe('https://www.example.com/p?lang=de')
    expect(result.event.properties).toEqual({ plan: 'pro' })
    expect(result.redactions.map(({ field, detector, action }) => [field, detector, action])).toEqual([
      ['context.page.url.query.uid', 'visitor-id', 'removed'],
      ['properties.ref', 'visitor-id', 'removed'],
    ])
  })

  it('truncates an IP address in a path and a title', () => {
    const event = collected({
      context: {
        page: { url: 'https://www.example.com/host/203.0.113.48/status', title: 'Your IP is 203.0.113.48' },
      },
    })
    expect(event.page.url).toBe('https://www.example.com/host/203.0.113.0/status')
    expect(event.page.title).toBe('Your IP is 203.0.113.0')
  })

  it('replaces a message id that reveals something', () => {
    const result = anonymise(incoming({ messageId: 'jane@example.org-1' }), facts)
    if (!result.ok) throw new Error(result.reason)
    expect(result.event.messageId).not.toContain('jane')
    expect(result.redactions).toContainEqual({
      field: 'messageId',
      kind: 'messageId',
      detector: 'email',
      action: 'removed',
    })
  })

  it('never names the value in the trace', () => {
    const result = anonymise(
      incoming({ type: 'track', event: 'x jane@example.org', properties: { 'jane@example.org': 1 } }),
      facts,
    )
    expect(JSON.stringify(result.redactions)).not.toContain('jane')
  })
})

describe('anonymise: random ids stay as sent', () => {
  it('keeps UUID message ids whose digit-only groups would read as a phone or card number', () => {
    for (const messageId of [
      '01234567-8901-4234-8567-890123456789',
      'ajs-next-1712345678901-41111111-1111-4111-8111-111111111111',
    ]) {
      const result = anonymise(incoming({ messageId }), facts)
      expect(result.ok && result.event.messageId).toBe(messageId)
    }
  })

  it('still replaces a message id that carries a phone number beside a UUID', () => {
    const result = anonymise(
      incoming({ messageId: '+49 30 1234567-01234567-8901-4234-8567-890123456789' }),
      facts,
    )
    expect(result.ok && result.event.messageId).not.toContain('1234567-0')
  })
})
