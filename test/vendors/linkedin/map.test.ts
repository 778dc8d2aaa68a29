import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { linkedinVendor } from '#shared/vendors/linkedin/index.ts'
import { linkedinRequestViolations } from '../../support/linkedin-validator.ts'
import {
  collectedEvent,
  fixturePayload,
  IDENTITY,
  LI_FAT_ID,
  linkedinSettings,
  mapContext,
  NOW,
  ORDER_RULE,
  PRICING_RULE,
  requestFor,
  SIGNUP_RULE,
  sha256,
} from './fixtures.ts'

const map = (overrides = {}, identity = IDENTITY, context = mapContext()) =>
  linkedinVendor.toPayload(collectedEvent(overrides), identity, context)

describe('LinkedIn mapper', () => {
  it('turns a configured track event into a conversion with hashed e-mail and li_fat_id', () => {
    expect(map()).toEqual({
      conversion: ORDER_RULE,
      conversionHappenedAt: Date.parse('2026-06-02T11:59:00.000Z'),
      conversionValue: { currencyCode: 'EUR', amount: '42.5' },
      eventId: 'msg-1',
      user: {
        userIds: [
          { idType: 'SHA256_EMAIL', idValue: sha256('test@example.com') },
          { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: LI_FAT_ID },
        ],
      },
    })
  })

  it('sends the SHA256_EMAIL of vendors.md’s test vector', () => {
    const payload = fixturePayload()
    expect(payload.user.userIds[0]).toEqual({
      idType: 'SHA256_EMAIL',
      idValue: '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b',
    })
    const request = requestFor(payload)
    expect(linkedinRequestViolations(request, NOW, { expectedEmail: ' Test@Example.com ' })).toEqual([])
  })

  it('never sends names or anything but the two ids, whatever else the edge hands over', () => {
    const identity = { ...IDENTITY, firstName: sha256('mary'), lastName: sha256('smith'), userAgent: 'UA' }
    const payload = map({}, identity)
    expect(payload?.user).not.toHaveProperty('userInfo')
    expect(payload?.user.userIds.map((id) => id.idType)).toEqual([
      'SHA256_EMAIL',
      'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
    ])
    expect(JSON.stringify(payload)).not.toContain(sha256('mary'))
  })

  it('sends nothing without the marketing purpose, and the trace says so', () => {
    const context = mapContext(linkedinSettings(), false)
    expect(map({}, IDENTITY, context)).toBeNull()
    expect(context.drops).toEqual([{ field: 'event', reason: expect.stringContaining('marketing') }])
  })

  it('takes nothing from identify calls', () => {
    const context = mapContext()
    expect(map({ type: 'identify', name: undefined }, IDENTITY, context)).toBeNull()
  })

  it('sends no event that maps to no conversion rule, and records why', () => {
    const context = mapContext()
    expect(map({ name: 'Product Viewed' }, IDENTITY, context)).toBeNull()
    expect(context.drops).toEqual([
      { field: 'conversion', reason: expect.stringContaining('no conversion rule') },
    ])
    const page = mapContext()
    expect(map({ type: 'page', name: undefined, page: { path: '/blog/x' } }, IDENTITY, page)).toBeNull()
    expect(page.drops.map((drop) => drop.field)).toEqual(['conversion'])
  })

  it('counts page views on pages a rule’s path pattern matches, without a conversion value', () => {
    const payload = map({ type: 'page', name: undefined, page: { path: '/pricing/teams' } })
    expect(payload?.conversion).toBe(PRICING_RULE)
    expect(payload).not.toHaveProperty('conversionValue')
    const fromUrl = map({ type: 'page', name: undefined, page: { url: 'https://shop.example/pricing?x=1' } })
    expect(fromUrl?.conversion).toBe(PRICING_RULE)
  })

  it('restricts a rule with event and pagePath to that event on those pages', () => {
    expect(map({ name: 'Signed Up', page: { path: '/signup' } })?.conversion).toBe(SIGNUP_RULE)
    expect(map({ name: 'Signed Up', page: { path: '/other' } })).toBeNull()
    // A track event never counts for a page-view rule.
    expect(map({ name: 'Anything', page: { path: '/pricing/x' } })).toBeNull()
  })

  it('takes the first matching rule', () => {
    const settings = linkedinSettings({
      conversions: [
        { event: 'Order Completed', conversion: 'urn:lla:llaPartnerConversion:1' },
        { event: 'Order Completed', conversion: 'urn:lla:llaPartnerConversion:2' },
      ],
    })
    expect(map({}, IDENTITY, mapContext(settings))?.conversion).toBe('urn:lla:llaPartnerConversion:1')
  })

  it('sends no event without any user id, and records why', () => {
    const context = mapContext()
    expect(map({}, {}, context)).toBeNull()
    expect(context.drops).toEqual([{ field: 'user.userIds', reason: expect.stringContaining('li_fat_id') }])
  })

  it('sends with only one of the ids, and drops a malformed one with the reason', () => {
    expect(map({}, { liFatId: LI_FAT_ID })?.user.userIds).toEqual([
      { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: LI_FAT_ID },
    ])
    const context = mapContext()
    const payload = map({}, { email: 'john@example.com', liFatId: LI_FAT_ID }, context)
    expect(JSON.stringify(payload)).not.toContain('john@example.com')
    expect(context.drops.map((drop) => drop.field)).toEqual(['user.userIds.SHA256_EMAIL'])
  })

  it('writes the amount as a decimal string, never with an exponent', () => {
    const amount = (value: number) => map({ properties: { value, currency: 'usd' } })?.conversionValue
    expect(amount(1500)).toEqual({ currencyCode: 'USD', amount: '1500' })
    expect(amount(0.1 + 0.2)).toEqual({ currencyCode: 'USD', amount: '0.3' })
    expect(amount(1e-7)).toEqual({ currencyCode: 'USD', amount: '0' })
    expect(amount(123456789012)?.amount).toBe('123456789012')
  })

  it('leaves out a conversion value it cannot send whole, and says why', () => {
    for (const properties of [
      { value: -1, currency: 'EUR' },
      { value: 5 },
      { value: 5, currency: 'XYZ' },
      { value: '5', currency: 'EUR' },
    ]) {
      const context = mapContext()
      const payload = map({ properties }, IDENTITY, context)
      expect(payload).not.toBeNull()
      expect(payload).not.toHaveProperty('conversionValue')
      expect(context.drops.map((drop) => drop.field)).toEqual(['conversionValue'])
    }
    expect(map({ properties: {} })).not.toHaveProperty('conversionValue')
  })

  it('dates the conversion in ms, never in the future; an unreadable time counts as now', () => {
    expect(map({ timestamp: '2027-01-01T00:00:00.000Z' })?.conversionHappenedAt).toBe(NOW.getTime())
    expect(map({ timestamp: 'yesterday' })?.conversionHappenedAt).toBe(NOW.getTime())
  })

  it('makes only payloads the queue contract takes and the validator passes (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.constantFrom('Order Completed', 'Signed Up', 'Other'),
          path: fc.constantFrom('/signup', '/pricing', '/pricing/a/b', '/', '/checkout'),
          type: fc.constantFrom('page' as const, 'track' as const),
          value: fc.oneof(fc.double({ noNaN: false }), fc.integer()),
          currency: fc.constantFrom('EUR', 'usd', 'X', 'JPY'),
          ageMs: fc.integer({ min: -86_400_000, max: 80 * 86_400_000 }),
          email: fc.option(fc.stringMatching(/^[a-f0-9]{64}$/), { nil: undefined }),
          liFatId: fc.option(fc.uuid({ version: 4 }), { nil: undefined }),
        }),
        (input) => {
          const payload = map(
            {
              type: input.type,
              name: input.type === 'track' ? input.name : undefined,
              page: { path: input.path },
              properties: { value: input.value, currency: input.currency },
              timestamp: new Date(NOW.getTime() - input.ageMs).toISOString(),
            },
            { email: input.email, liFatId: input.liFatId },
          )
          if (payload === null) return
          expect(linkedinVendor.payloadSchema.safeParse(payload).success).toBe(true)
          expect(JSON.parse(JSON.stringify(payload))).toEqual(payload)
          expect(linkedinRequestViolations(requestFor(payload), NOW)).toEqual([])
        },
      ),
    )
  })
})
