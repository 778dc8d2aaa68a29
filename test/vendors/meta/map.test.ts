import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CollectedEvent } from '#shared/events/model.ts'
import { metaVendor } from '#shared/vendors/meta/index.ts'
import { metaRequestViolations } from '../../support/meta-validator.ts'
import {
  collectedEvent,
  FBC,
  FBP,
  IDENTITY,
  mapContext,
  metaSettings,
  NOW,
  requestFor,
  sha256,
  USER_AGENT,
} from './fixtures.ts'

const map = (event: CollectedEvent, identity = IDENTITY, context = mapContext()) =>
  metaVendor.toPayload(event, identity, context)

describe('Meta mapper: the server event', () => {
  it('maps a page view with every field Meta needs for a website event', () => {
    const payload = map(collectedEvent({ type: 'page', name: undefined, messageId: 'page-7' }))
    expect(payload).toEqual({
      event_name: 'PageView',
      event_time: Date.parse('2026-06-02T11:59:00.000Z') / 1000,
      event_id: 'page-7',
      action_source: 'website',
      event_source_url: 'https://shop.example/checkout',
      user_data: {
        client_user_agent: USER_AGENT,
        fbp: FBP,
        fbc: FBC,
        em: [sha256('john_smith@gmail.com')],
        ph: [sha256('16505551212')],
        fn: [sha256('mary')],
        ln: [sha256('smith')],
        ct: [sha256('menlopark')],
        zp: [sha256('94025')],
        country: [sha256('us')],
        external_id: ['a'.repeat(64)],
      },
      data_processing_options: [],
    })
  })

  it('gives page views no custom_data even when they carry allow-listed properties', () => {
    const payload = map(collectedEvent({ type: 'page', properties: { value: 3, currency: 'EUR' } }))
    expect(payload?.custom_data).toBeUndefined()
  })

  it('takes event_time in whole seconds, never after now, and now for an unreadable time', () => {
    expect(map(collectedEvent({ timestamp: '2026-06-02T11:59:00.999Z' }))?.event_time).toBe(
      Date.parse('2026-06-02T11:59:00Z') / 1000,
    )
    expect(map(collectedEvent({ timestamp: '2026-06-03T00:00:00Z' }))?.event_time).toBe(NOW.getTime() / 1000)
    expect(map(collectedEvent({ timestamp: 'yesterday' }))?.event_time).toBe(NOW.getTime() / 1000)
  })

  it('takes nothing from identify calls: they only feed stored traits', () => {
    const context = mapContext()
    expect(map(collectedEvent({ type: 'identify' }), IDENTITY, context)).toBeNull()
  })

  it('sends nothing without marketing permission', () => {
    const context = mapContext(metaSettings(), false)
    expect(map(collectedEvent(), IDENTITY, context)).toBeNull()
    expect(context.drops.map((drop) => drop.field)).toEqual(['event'])
  })

  it('drops an event without page URL, or with a non-http one, and tells the trace why', () => {
    for (const url of [
      undefined,
      '/checkout',
      'javascript:alert(1)',
      `https://shop.example/${'a'.repeat(9000)}`,
    ]) {
      const context = mapContext()
      expect(map(collectedEvent({ page: { url } }), IDENTITY, context)).toBeNull()
      expect(context.drops.map((drop) => drop.field)).toEqual(['event_source_url'])
    }
  })

  it('drops an event without user agent, since Meta requires one for website events', () => {
    const { userAgent: _userAgent, ...withoutAgent } = IDENTITY
    const context = mapContext()
    expect(map(collectedEvent(), withoutAgent, context)).toBeNull()
    expect(context.drops).toEqual([{ field: 'user_data.client_user_agent', reason: expect.any(String) }])
  })

  it('sends a user agent alone when nothing else was granted', () => {
    expect(map(collectedEvent(), { userAgent: USER_AGENT })?.user_data).toEqual({
      client_user_agent: USER_AGENT,
    })
  })

  it('drops identifiers that are not in their final form instead of sending them', () => {
    const context = mapContext()
    const payload = map(
      collectedEvent(),
      {
        userAgent: USER_AGENT,
        email: 'John@Example.com',
        phone: '+1 650 555 1212',
        fbp: 'fbp-cookie',
        fbc: 'fb.1.17.x',
      },
      context,
    )
    expect(payload?.user_data).toEqual({ client_user_agent: USER_AGENT })
    expect(context.drops.map((drop) => drop.field).sort()).toEqual([
      'user_data.em',
      'user_data.fbc',
      'user_data.fbp',
      'user_data.ph',
    ])
  })

  it('sends no IP unless the admin allows the truncated one, and then only truncated', () => {
    expect(map(collectedEvent())?.user_data.client_ip_address).toBeUndefined()
    const allowing = mapContext(metaSettings({ sendTruncatedIp: true }))
    expect(map(collectedEvent(), IDENTITY, allowing)?.user_data.client_ip_address).toBe('203.0.113.0')
    const untruncated = collectedEvent({ context: { ip: '203.0.113.77', device: null, gpc: false } })
    expect(map(untruncated, IDENTITY, allowing)?.user_data.client_ip_address).toBe('203.0.113.0')
    const noIp = collectedEvent({ context: { ip: null, device: null, gpc: false } })
    expect(map(noIp, IDENTITY, allowing)?.user_data.client_ip_address).toBeUndefined()
  })

  it('marks Limited Data Use with Meta geolocating (0/0) when the admin turns it on, else []', () => {
    const payload = map(collectedEvent(), IDENTITY, mapContext(metaSettings({ limitedDataUse: true })))
    expect(payload).toMatchObject({
      data_processing_options: ['LDU'],
      data_processing_options_country: 0,
      data_processing_options_state: 0,
    })
    expect(map(collectedEvent())).not.toHaveProperty('data_processing_options_country')
  })
})

describe('Meta mapper: event names', () => {
  const named = (name: string | undefined, eventNames = {}) =>
    map(collectedEvent({ name }), IDENTITY, mapContext(metaSettings({ eventNames })))?.event_name

  it('maps a track event to the standard event the admin chose', () => {
    expect(named('Signed Up', { 'Signed Up': 'CompleteRegistration' })).toBe('CompleteRegistration')
  })

  it('sends other track events as custom events under a cleaned name', () => {
    expect(named('Order Completed')).toBe('Order Completed')
    expect(named('Köln/Bonn!')).toBe('Koln_Bonn')
    expect(named('  __  ')).toBe('CustomEvent')
    expect(named(undefined)).toBe('CustomEvent')
    expect(named('x'.repeat(80))).toHaveLength(50)
  })

  it('does not let an unmapped name count as a standard event', () => {
    expect(named('Purchase')).toBe('custom_Purchase')
    expect(named('pageview')).toBe('custom_pageview')
  })

  it('ignores inherited names in the map', () => {
    expect(named('constructor')).toBe('constructor')
  })

  it('always yields a valid Meta name: 1–50 characters of letters, digits, _, - and space', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        expect(named(name)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_ -]{0,48}[A-Za-z0-9_]$|^[A-Za-z0-9_]$/)
      }),
    )
  })
})

describe('Meta mapper: custom_data', () => {
  const customData = (properties: CollectedEvent['properties'], settings = metaSettings()) => {
    const context = mapContext(settings)
    const payload = map(collectedEvent({ properties }), IDENTITY, context)
    return { data: payload?.custom_data, dropped: context.drops.map((drop) => drop.field) }
  }

  it('takes only allow-listed properties', () => {
    const { data } = customData({ value: 10, currency: 'EUR', plan: 'pro', coupon_owner: 'Jane' })
    expect(data).toEqual({ value: 10, currency: 'EUR' })
    expect(customData({ plan: 'pro' }, metaSettings({ customData: ['plan'] })).data).toEqual({ plan: 'pro' })
  })

  it('takes value only as a number ≥ 0', () => {
    expect(customData({ value: 0 }).data).toEqual({ value: 0 })
    expect(Object.is(customData({ value: -0 }).data?.value, 0)).toBe(true)
    for (const value of [-1, '12', true, Number.NaN]) {
      expect(customData({ value })).toEqual({ data: undefined, dropped: ['custom_data.value'] })
    }
  })

  it('takes currency only as a real ISO 4217 code, in upper case', () => {
    expect(customData({ currency: ' usd ' }).data).toEqual({ currency: 'USD' })
    for (const currency of ['EURO', 'XYZ', '€', 12]) {
      expect(customData({ currency })).toEqual({ data: undefined, dropped: ['custom_data.currency'] })
    }
  })

  it('takes content_ids from a string or number property, as a list', () => {
    expect(customData({ content_ids: 'sku-1' }).data).toEqual({ content_ids: ['sku-1'] })
    expect(customData({ content_ids: 42 }).data).toEqual({ content_ids: ['42'] })
    expect(customData({ content_ids: true }).dropped).toEqual(['custom_data.content_ids'])
  })

  it('drops text that looks personal although the collector screened it', () => {
    expect(customData({ content_type: 'jane.roe@example.com' })).toEqual({
      data: undefined,
      dropped: ['custom_data.content_type'],
    })
  })
})

const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._]{0,15}$/), fc.stringMatching(/^[a-z]{2,10}\.(com|de|org)$/))
  .map(([local, domain]) => `${local}@${domain}`)
const phone = fc.stringMatching(/^\+[1-9]\d{9,12}$/)
const fullIpv4 = fc.ipV4().filter((ip) => !ip.endsWith('.0'))
const visitorId = fc.uuid()
const propertyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  email,
  phone,
)

/** Events that carry raw personal data everywhere the collector might have failed to scrub it. */
const leakyEvent = fc
  .record({
    type: fc.constantFrom('page' as const, 'track' as const),
    visitorId,
    email,
    phone,
    ip: fullIpv4,
    properties: fc.dictionary(
      fc.constantFrom('value', 'currency', 'content_ids', 'content_type', 'order_id', 'num_items', 'other'),
      propertyValue,
    ),
    secondsAgo: fc.integer({ min: 0, max: 6 * 86_400 }),
  })
  .map((input) => ({
    input,
    event: collectedEvent({
      type: input.type,
      visitorId: input.visitorId,
      messageId: `m-${input.secondsAgo}`,
      timestamp: new Date(NOW.getTime() - input.secondsAgo * 1000).toISOString(),
      properties: { ...input.properties, content_type: input.email, order_id: input.phone },
      context: { ip: input.ip, device: null, gpc: false },
    }),
  }))

describe('Meta mapper: privacy (property-based)', () => {
  it('never puts a raw e-mail, phone, full IP or visitor id into a request, and Meta accepts the request', () => {
    fc.assert(
      fc.property(
        leakyEvent,
        fc.boolean(),
        fc.boolean(),
        ({ input, event }, sendTruncatedIp, limitedDataUse) => {
          const settings = metaSettings({ sendTruncatedIp, limitedDataUse })
          const payload = metaVendor.toPayload(event, IDENTITY, mapContext(settings))
          expect(payload).not.toBeNull()
          if (payload === null) return
          const request = requestFor(payload, settings)
          const sent = `${request.url}\n${request.body}`
          for (const secret of [input.email, input.phone, input.phone.slice(1), input.ip, input.visitorId]) {
            expect(sent).not.toContain(secret)
          }
          expect(metaRequestViolations(request, NOW)).toEqual([])
        },
      ),
    )
  })

  it('passes granted hashes through untouched, so Meta can match them', () => {
    const payload = map(collectedEvent())
    if (payload === null) throw new Error('the fixture event must map')
    expect(
      metaRequestViolations(requestFor(payload), NOW, {
        expectedHashesOf: { em: 'john_smith@gmail.com', ph: '16505551212', fn: 'mary' },
      }),
    ).toEqual([])
  })

  it('yields payloads the queue contract accepts, unchanged by a JSON round trip', () => {
    fc.assert(
      fc.property(leakyEvent, fc.boolean(), ({ event }, limitedDataUse) => {
        const payload = metaVendor.toPayload(event, IDENTITY, mapContext(metaSettings({ limitedDataUse })))
        const roundTripped: unknown = JSON.parse(JSON.stringify(payload))
        expect(metaVendor.payloadSchema.parse(roundTripped)).toEqual(payload)
      }),
    )
  })
})

describe('Meta payload schema (the queue contract)', () => {
  it('refuses a queued event that is not a valid website event', () => {
    const payload = metaVendor.toPayload(collectedEvent(), IDENTITY, mapContext())
    const parse = (changes: object) => metaVendor.payloadSchema.safeParse({ ...payload, ...changes }).success
    expect(parse({})).toBe(true)
    expect(parse({ event_source_url: 'ftp://shop.example/' })).toBe(false)
    expect(parse({ action_source: 'app' })).toBe(false)
    expect(parse({ event_time: 1.5 })).toBe(false)
    expect(parse({ user_data: { client_user_agent: USER_AGENT, em: ['john@example.com'] } })).toBe(false)
    expect(parse({ user_data: { client_user_agent: USER_AGENT, client_ip_address: 'x' } })).toBe(false)
    expect(parse({ custom_data: { value: -1 } })).toBe(false)
    expect(parse({ custom_data: { currency: 'eur' } })).toBe(false)
    expect(parse({ data_processing_options: ['CCPA'] })).toBe(false)
  })
})
