import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import {
  HUBSPOT_MAX_PROPERTIES,
  HUBSPOT_MAX_URL_VALUE_CHARS,
  HUBSPOT_MAX_VALUE_CHARS,
} from '#shared/vendors/hubspot/limits.ts'
import {
  collectedEvent,
  hubspotSettings,
  IDENTITY,
  mapContext,
  mapped,
  NOW,
  PORTAL_ID,
  UTK,
} from './fixtures.ts'

describe('HubSpot mapper', () => {
  it('sends a mapped track event as pe{portal}_{name}, tied to the visitor by utk, with allow-listed properties', () => {
    const payload = mapped()
    expect(payload).toEqual({
      eventName: `pe${PORTAL_ID}_signed_up`,
      utk: UTK,
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      occurredAt: '2026-06-02T11:59:00.000Z',
      properties: { plan: 'pro', seats: '5', trial: 'true' },
    })
    expect(hubspotVendor.payloadSchema.safeParse(payload).success).toBe(true)
  })

  it('declares itself off by default, for analytics only, with hubspotutk as its only identity', () => {
    const defaults = hubspotVendor.settingsSchema.parse({ portalId: PORTAL_ID })
    expect(defaults.enabled).toBe(false)
    expect(hubspotVendor.purposes).toEqual({ page: 'analytics', track: 'analytics' })
    expect(hubspotVendor.identity).toEqual(['hubspotutk'])
    expect(hubspotVendor.label).toBe('HubSpot')
  })

  it('does not send an unmapped track event, and says why', () => {
    const context = mapContext()
    expect(hubspotVendor.toPayload(collectedEvent({ name: 'Clicked Banner' }), IDENTITY, context)).toBeNull()
    expect(context.drops).toEqual([{ field: 'eventName', reason: expect.stringContaining('not mapped') }])
  })

  it('does not take a mapping from the prototype (`constructor`, `__proto__`)', () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(hubspotVendor.toPayload(collectedEvent({ name }), IDENTITY, mapContext())).toBeNull()
    }
  })

  it('sends page views as the configured event, and skips them when none is configured', () => {
    const page = collectedEvent({ type: 'page', name: undefined })
    expect(mapped(page).eventName).toBe(`pe${PORTAL_ID}_page_viewed`)
    const context = mapContext(hubspotSettings({ pageViewEventName: undefined }))
    expect(hubspotVendor.toPayload(page, IDENTITY, context)).toBeNull()
    expect(context.drops[0]?.reason).toContain('pageViewEventName')
  })

  it('sends nothing without a hubspotutk cookie, and records the reason', () => {
    const context = mapContext()
    expect(hubspotVendor.toPayload(collectedEvent(), {}, context)).toBeNull()
    expect(context.drops).toEqual([{ field: 'utk', reason: expect.stringContaining('hubspotutk') }])
    expect(hubspotVendor.toPayload(collectedEvent(), { hubspotutk: 'not-a-utk' }, mapContext())).toBeNull()
  })

  it('ignores identify calls', () => {
    expect(hubspotVendor.toPayload(collectedEvent({ type: 'identify' }), IDENTITY, mapContext())).toBeNull()
  })

  it('puts the page URL in the configured property, and leaves out one longer than 200 characters', () => {
    const settings = hubspotSettings({ pageUrlProperty: 'page_url' })
    expect(mapped(collectedEvent(), settings).properties.page_url).toBe('https://shop.example/pricing')
    const long = `https://shop.example/${'a'.repeat(HUBSPOT_MAX_URL_VALUE_CHARS)}`
    const context = mapContext(settings)
    const payload = hubspotVendor.toPayload(collectedEvent({ page: { url: long } }), IDENTITY, context)
    expect(payload?.properties).not.toHaveProperty('page_url')
    expect(context.drops.map((drop) => drop.field)).toContain('properties.page_url')
  })

  it('leaves out values over HubSpot’s limits instead of cutting them, and looks-personal text', () => {
    const context = mapContext()
    const event = collectedEvent({
      properties: {
        plan: 'x'.repeat(HUBSPOT_MAX_VALUE_CHARS + 1),
        docs_url: `https://docs.example/${'d'.repeat(150)}`,
        seats: Number.POSITIVE_INFINITY,
        trial: 'jane.doe@example.com',
      },
    })
    const payload = hubspotVendor.toPayload(event, IDENTITY, context)
    expect(payload?.properties).toEqual({ docs_url: `https://docs.example/${'d'.repeat(150)}` })
    expect(context.drops.map((drop) => drop.field).sort()).toEqual([
      'properties.plan',
      'properties.seats',
      'properties.trial',
    ])
  })

  it('sends at most 50 properties', () => {
    const names = Array.from({ length: HUBSPOT_MAX_PROPERTIES + 10 }, (_, index) => `p${index}`)
    const settings = hubspotSettings({ properties: names })
    const properties = Object.fromEntries(names.map((name) => [name, 'v']))
    const context = mapContext(settings)
    const payload = hubspotVendor.toPayload(collectedEvent({ properties }), IDENTITY, context)
    expect(Object.keys(payload?.properties ?? {})).toHaveLength(HUBSPOT_MAX_PROPERTIES)
    expect(context.drops).toHaveLength(10)
  })

  it('has a queue contract that refuses what HubSpot would refuse', () => {
    const valid = mapped()
    const accepts = (overrides: Record<string, unknown>) =>
      hubspotVendor.payloadSchema.safeParse({ ...valid, ...overrides }).success
    expect(accepts({})).toBe(true)
    expect(accepts({ properties: { plan: 'x'.repeat(HUBSPOT_MAX_VALUE_CHARS + 1) } })).toBe(false)
    expect(accepts({ properties: { docs_url: `https://docs.example/${'d'.repeat(150)}` } })).toBe(true)
    expect(accepts({ properties: { Plan: 'pro' } })).toBe(false)
    expect(accepts({ eventName: 'signed_up' })).toBe(false)
    expect(accepts({ utk: undefined })).toBe(false)
    expect(accepts({ uuid: 'msg-1' })).toBe(false)
  })

  it('refuses settings whose names HubSpot would not take', () => {
    const parse = (overrides: Record<string, unknown>) =>
      hubspotVendor.settingsSchema.safeParse({ portalId: PORTAL_ID, ...overrides }).success
    expect(parse({ portalId: 'abc' })).toBe(false)
    expect(parse({ eventNames: { 'Signed Up': 'Signed_Up' } })).toBe(false)
    expect(parse({ properties: ['1plan'] })).toBe(false)
    expect(parse({ pageViewEventName: 'x'.repeat(51) })).toBe(false)
    expect(parse({ sendTruncatedIp: true })).toBe(false)
  })

  it('never dates an event in the future and reads an unreadable time as now', () => {
    expect(mapped(collectedEvent({ timestamp: '2030-01-01T00:00:00.000Z' })).occurredAt).toBe(
      NOW.toISOString(),
    )
    expect(mapped(collectedEvent({ timestamp: 'yesterday' })).occurredAt).toBe(NOW.toISOString())
  })

  it('maps any mapped event to a payload its own schema accepts (property)', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 250 }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    )
    fc.assert(
      fc.property(
        fc.constantFrom('page' as const, 'track' as const),
        fc.dictionary(fc.constantFrom('plan', 'seats', 'trial', 'docs_url', 'other'), value),
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        (type, properties, url, timestamp) => {
          const settings = hubspotSettings({ pageUrlProperty: 'page_url' })
          const event = collectedEvent({ type, properties, page: { url }, timestamp })
          const payload = hubspotVendor.toPayload(event, IDENTITY, mapContext(settings))
          expect(payload).not.toBeNull()
          expect(hubspotVendor.payloadSchema.safeParse(payload).success).toBe(true)
        },
      ),
    )
  })
})
