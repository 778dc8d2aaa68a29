import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CollectedEvent } from '#shared/events/model.ts'
import { GA4_MAX_BACKDATE_MS, ga4Adapter, toGa4Payload } from '../../support/ga4.ts'
import { validateGa4Request } from '../../support/ga4-validator.ts'
import { allowingAllOf, collectedEvent, GA4_CONFIG, GA4_CONTEXT, NOW } from './fixtures.ts'

const mapped = (event: CollectedEvent, context: Partial<typeof GA4_CONTEXT> = {}) => {
  const payload = toGa4Payload(event, { ...GA4_CONTEXT, allowList: allowingAllOf(event), ...context })
  if (!payload) throw new Error('expected a payload')
  return payload
}

describe('toGa4Payload: events', () => {
  it('maps a page event to page_view with the page facts', () => {
    const event = collectedEvent({
      type: 'page',
      name: undefined,
      page: { url: 'https://shop.example/a', title: 'A page', referrer: 'https://search.example/' },
    })

    const { event: ga4Event } = mapped(event)

    expect(ga4Event.name).toBe('page_view')
    expect(ga4Event.params).toMatchObject({
      page_location: 'https://shop.example/a',
      page_title: 'A page',
      page_referrer: 'https://search.example/',
    })
  })

  it('cuts page_location, page_title and page_referrer to 1000, 300 and 420 characters', () => {
    const event = collectedEvent({
      type: 'page',
      page: {
        url: `https://shop.example/${'u'.repeat(2000)}`,
        title: 't'.repeat(500),
        referrer: 'r'.repeat(500),
      },
    })

    const { params } = mapped(event).event

    expect(String(params.page_location)).toHaveLength(1000)
    expect(String(params.page_title)).toHaveLength(300)
    expect(String(params.page_referrer)).toHaveLength(420)
  })

  it('names a track event in snake_case and turns properties into params', () => {
    const event = collectedEvent({
      name: 'Order Completed',
      properties: {
        orderTotal: 42.5,
        'Coupon Used': true,
        gift: false,
        note: null,
        empty: '',
        label: 'x'.repeat(150),
      },
    })

    const { event: ga4Event } = mapped(event)

    expect(ga4Event.name).toBe('order_completed')
    expect(ga4Event.params).toMatchObject({ order_total: 42.5, coupon_used: 'true', gift: 'false' })
    expect(ga4Event.params.label).toBe('x'.repeat(100))
    expect(ga4Event.params).not.toHaveProperty('note')
    expect(ga4Event.params).not.toHaveProperty('empty')
  })

  it('drops properties GA4 reserves', () => {
    const event = collectedEvent({
      properties: { google_source: 'a', ga_thing: 'b', firebase_conversion: 1, firebase_x: 2, kept: 'c' },
    })

    const { params } = mapped(event).event

    expect(params).not.toHaveProperty('google_source')
    expect(params).not.toHaveProperty('ga_thing')
    expect(params).not.toHaveProperty('firebase_conversion')
    expect(params).not.toHaveProperty('firebase_x')
    expect(params.kept).toBe('c')
  })

  it('keeps at most 25 params, session_id and engagement_time_msec included', () => {
    const properties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`prop_${i}`, i]))

    const { params } = mapped(collectedEvent({ properties, page: {} })).event

    expect(Object.keys(params)).toHaveLength(25)
    expect(params.session_id).toBeDefined()
    expect(params.engagement_time_msec).toBe(1)
  })

  it('does not let a property override session_id or engagement_time_msec', () => {
    const event = collectedEvent({ properties: { session_id: 'forged', engagement_time_msec: 0 } })

    const { params } = mapped(event).event

    expect(params.session_id).not.toBe('forged')
    expect(params.engagement_time_msec).toBe(1)
  })

  it('returns null for identify: GA4 takes no identify calls', () => {
    expect(toGa4Payload(collectedEvent({ type: 'identify' }), GA4_CONTEXT)).toBeNull()
  })
})

describe('toGa4Payload: sessions and time', () => {
  it('uses the session id the client sent', () => {
    const event = collectedEvent({ context: { ...collectedEvent().context, sessionId: '1717322400' } })

    expect(mapped(event).event.params.session_id).toBe('1717322400')
  })

  it("sends the collector's session id and number when the client sent none", () => {
    const context = { ...collectedEvent().context, session: { id: '4242424242424242', number: 3 } }
    const params = mapped(collectedEvent({ context })).event.params

    expect([params.session_id, params.session_number]).toEqual(['4242424242424242', 3])
  })

  it("prefers the client's own session id to the collector's", () => {
    const context = {
      ...collectedEvent().context,
      sessionId: 'rudder-1',
      session: { id: '4242424242424242', number: 3 },
    }
    const params = mapped(collectedEvent({ context })).event.params

    expect(params.session_id).toBe('rudder-1')
    expect(params).not.toHaveProperty('session_number')
  })

  it('never gives two visitors in the same half hour one clock-derived session id', () => {
    const first = mapped(collectedEvent({ timestamp: '2025-06-02T10:44:59.000Z' })).event.params.session_id
    const second = mapped(collectedEvent({ timestamp: '2025-06-02T10:44:59.000Z' })).event.params.session_id

    expect(first).not.toBe(second)
    expect(first).not.toBe(Date.parse('2025-06-02T10:30:00.000Z') / 1000)
  })

  it('sends the event time in microseconds', () => {
    const event = collectedEvent({ timestamp: '2025-06-02T11:00:00.000Z' })

    expect(mapped(event).event.timestamp_micros).toBe(Date.parse('2025-06-02T11:00:00.000Z') * 1000)
  })

  it('clamps a future event time to now', () => {
    const event = collectedEvent({ timestamp: '2025-06-03T00:00:00.000Z' })

    expect(mapped(event).event.timestamp_micros).toBe(NOW.getTime() * 1000)
  })

  it('clamps an event older than 72 hours into the window', () => {
    const event = collectedEvent({ timestamp: '2025-05-20T00:00:00.000Z' })

    const micros = mapped(event).event.timestamp_micros

    expect(micros).toBeGreaterThanOrEqual((NOW.getTime() - GA4_MAX_BACKDATE_MS) * 1000)
    expect(micros).toBeLessThan((NOW.getTime() - GA4_MAX_BACKDATE_MS + 5 * 60_000) * 1000)
  })
})

describe('toGa4Payload: consent, IP and device', () => {
  it('grants both ad signals only when marketing is allowed', () => {
    const granted = mapped(collectedEvent(), { marketingAllowed: true })
    const denied = mapped(collectedEvent(), { marketingAllowed: false })

    expect(granted.consent).toEqual({ ad_user_data: 'GRANTED', ad_personalization: 'GRANTED' })
    expect(granted.non_personalized_ads).toBe(false)
    expect(denied.consent).toEqual({ ad_user_data: 'DENIED', ad_personalization: 'DENIED' })
    expect(denied.non_personalized_ads).toBe(true)
  })

  it('sends no IP unless the admin allows the truncated one', () => {
    const event = collectedEvent({ context: { ...collectedEvent().context, ip: '203.0.113.0' } })

    expect(mapped(event)).not.toHaveProperty('ip_override')
    expect(mapped(event, { sendTruncatedIp: true }).ip_override).toBe('203.0.113.0')
  })

  it.each([
    '203.0.113.77',
    '2001:db8:85a3:8d3:1319:8a2e:370:7348',
    '::ffff:198.51.100.9',
    'not an ip',
    'fe80::%eth0',
  ])('never forwards the untruncated or unreadable address %j', (ip) => {
    const event = collectedEvent({ context: { ...collectedEvent().context, ip } })

    expect(mapped(event, { sendTruncatedIp: true })).not.toHaveProperty('ip_override')
  })

  it.each(['2001:db8:85a3::', '::ffff:198.51.100.0'])('forwards the truncated address %j', (ip) => {
    const event = collectedEvent({ context: { ...collectedEvent().context, ip } })

    expect(mapped(event, { sendTruncatedIp: true }).ip_override).toBe(ip)
  })

  it('sends the coarse device only, leaving out the meaningless category other', () => {
    const desktop = mapped(collectedEvent())
    const other = mapped(collectedEvent({ context: { ip: null, device: { category: 'other' }, gpc: false } }))

    expect(desktop.device).toEqual({ category: 'desktop', browser: 'Firefox', operating_system: 'Linux' })
    expect(other).not.toHaveProperty('device')
  })

  it('never carries user_id, user_data or the visitor id', () => {
    const payload = mapped(collectedEvent({ visitorId: 'visitor-secret-id' }))

    expect(payload).not.toHaveProperty('user_id')
    expect(payload).not.toHaveProperty('user_data')
    expect(JSON.stringify(payload)).not.toContain('visitor-secret-id')
  })
})

const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength })
const truncatedIp = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `${a}.${b}.${c}.0`),
  fc
    .tuple(fc.nat(0xffff), fc.nat(0xffff), fc.nat(0xffff))
    .map((g) => `${g.map((n) => n.toString(16)).join(':')}::`),
)
const anyIp = fc.oneof(truncatedIp, fc.ipV4(), fc.ipV6(), text(20))

const arbitraryEvent: fc.Arbitrary<CollectedEvent> = fc.record({
  messageId: fc.uuid(),
  type: fc.constantFrom('page', 'track', 'identify'),
  name: fc.option(text(60), { nil: undefined }),
  siteId: fc.constant('shop'),
  visitorId: text(40),
  timestamp: fc.oneof(
    fc
      .date({
        min: new Date('2025-05-20T00:00:00Z'),
        max: new Date('2025-06-04T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString()),
    text(30),
  ),
  receivedAt: fc.constant(NOW.toISOString()),
  page: fc.record(
    {
      url: fc.oneof(fc.webUrl({ withQueryParameters: true }), text(1500)),
      path: text(50),
      title: text(400),
      referrer: text(500),
    },
    { requiredKeys: [] },
  ),
  properties: fc.dictionary(
    text(50),
    fc.oneof(text(150), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
    { maxKeys: 40 },
  ),
  context: fc.record(
    {
      ip: fc.option(anyIp, { nil: null }),
      device: fc.option(
        fc.record(
          {
            category: fc.constantFrom('desktop', 'mobile', 'tablet', 'other'),
            browser: text(120),
            os: text(120),
          },
          { requiredKeys: ['category'] },
        ),
        { nil: null },
      ),
      locale: text(10),
      sessionId: text(120),
      gpc: fc.boolean(),
    },
    { requiredKeys: ['ip', 'device', 'gpc'] },
  ),
})

const contextArbitrary = fc.record({
  marketingAllowed: fc.boolean(),
  sendTruncatedIp: fc.boolean(),
})

describe('toGa4Payload + ga4Adapter: properties', () => {
  it('every request built from any events passes the GA4 validator', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbitraryEvent, contextArbitrary), { maxLength: 40 }), (inputs) => {
        const messages = inputs.flatMap(([event, context], index) => {
          const payload = toGa4Payload(event, { ...GA4_CONTEXT, ...context, clientId: `${index % 3}.1` })
          return payload ? [{ messageId: `m${index}`, payload }] : []
        })
        const adapter = ga4Adapter(GA4_CONFIG, 'secret', { now: () => NOW })

        const requests = adapter.buildRequests(messages)

        for (const request of requests) expect(validateGa4Request(request, NOW)).toEqual([])
        expect(requests.flatMap((request) => request.messageIds).sort()).toEqual(
          messages.map((message) => message.messageId).sort(),
        )
      }),
      { numRuns: 200 },
    )
  })

  it('an e-mail address anywhere in the event never reaches GA4', () => {
    const placements: Array<(event: CollectedEvent, email: string) => CollectedEvent> = [
      (event, email) => ({ ...event, properties: { ...event.properties, contact: email } }),
      (event, email) => ({ ...event, properties: { ...event.properties, note: `write to ${email} today` } }),
      (event, email) => ({ ...event, properties: { ...event.properties, [email]: 'key' } }),
      (event, email) => ({ ...event, name: email }),
      (event, email) => ({ ...event, visitorId: email }),
      (event, email) => ({ ...event, page: { ...event.page, url: `https://shop.example/?e=${email}` } }),
      (event, email) => ({ ...event, page: { ...event.page, title: `Hello ${email}` } }),
      (event, email) => ({ ...event, page: { ...event.page, referrer: `https://mail.example/${email}` } }),
      (event, email) => ({ ...event, context: { ...event.context, sessionId: email } }),
      (event, email) => ({
        ...event,
        context: { ...event.context, device: { category: 'mobile', browser: email } },
      }),
      (event, email) => ({
        ...event,
        context: { ...event.context, device: { category: 'mobile', os: email } },
      }),
      (event, email) => ({ ...event, context: { ...event.context, locale: email } }),
    ]
    fc.assert(
      fc.property(
        arbitraryEvent,
        fc.emailAddress(),
        fc.constantFrom(...placements),
        contextArbitrary,
        (event, email, place, context) => {
          const payload = toGa4Payload(place(event, email), { ...GA4_CONTEXT, ...context })
          if (!payload) return
          const [request] = ga4Adapter(GA4_CONFIG, 'secret', { now: () => NOW }).buildRequests([
            { messageId: 'm', payload },
          ])

          expect(request?.body).not.toContain(email)
          expect(request?.url).not.toContain(email)
        },
      ),
      { numRuns: 300 },
    )
  })
})
