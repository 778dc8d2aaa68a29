import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GA4_FALLBACK_EVENT_NAME, ga4EventName, ga4ParamName } from '#shared/vendors/ga4/names.ts'

const VALID_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
const RESERVED_PREFIXES = ['firebase_', 'ga_', 'google_', 'gtag']

describe('ga4EventName', () => {
  it.each([
    ['Order Completed', 'order_completed'],
    ['addToCart', 'add_to_cart'],
    ['getHTTPResponse', 'get_http_response'],
    ['  Signed--Up!! ', 'signed_up'],
    ['Bestellung abgeschloßen é', 'bestellung_abgeschlo_en_e'],
    ['page_view', 'page_view'],
    ['click', 'click'],
  ])('turns %j into snake_case %j', (raw, expected) => {
    expect(ga4EventName(raw)).toBe(expected)
  })

  it.each([
    ['session_start', 'custom_session_start'],
    ['Session Start', 'custom_session_start'],
    ['first_visit', 'custom_first_visit'],
    ['app_store_refund', 'custom_app_store_refund'],
    ['ga_click', 'custom_ga_click'],
    ['Google Thing', 'custom_google_thing'],
    ['firebase_campaign', 'custom_firebase_campaign'],
    ['gtag.config', 'custom_gtag_config'],
  ])('prefixes the reserved name %j as %j', (raw, expected) => {
    expect(ga4EventName(raw)).toBe(expected)
  })

  it('prefixes a name that starts with a digit', () => {
    expect(ga4EventName('404 seen')).toBe('event_404_seen')
  })

  it('names an event without usable characters custom_event', () => {
    expect(ga4EventName('!!! ???')).toBe(GA4_FALLBACK_EVENT_NAME)
    expect(ga4EventName('')).toBe(GA4_FALLBACK_EVENT_NAME)
  })

  it('cuts long names to 40 characters without a trailing underscore', () => {
    const name = ga4EventName(`${'a'.repeat(39)} b`)
    expect(name).toBe('a'.repeat(39))
  })

  it('always yields a valid, unreserved name (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (raw) => {
        const name = ga4EventName(raw)
        expect(name).toMatch(VALID_NAME)
        expect(RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))).toBe(false)
        expect(['session_start', 'first_visit', 'user_engagement', 'error']).not.toContain(name)
      }),
    )
  })
})

describe('ga4ParamName', () => {
  it('sanitises a property key like an event name', () => {
    expect(ga4ParamName('Product Category')).toBe('product_category')
    expect(ga4ParamName('2nd choice')).toBe('param_2nd_choice')
  })

  it.each(['google_tag', 'ga_session', 'firebase_thing', 'firebase_conversion', 'GA Session', '***'])(
    'drops the reserved or empty key %j',
    (key) => {
      expect(ga4ParamName(key)).toBeNull()
    },
  )

  it('always yields a valid unreserved name or nothing (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (raw) => {
        const name = ga4ParamName(raw)
        if (name === null) return
        expect(name).toMatch(VALID_NAME)
        expect(['firebase_', 'ga_', 'google_'].some((prefix) => name.startsWith(prefix))).toBe(false)
      }),
    )
  })
})
