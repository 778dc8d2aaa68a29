import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scrubProperties, scrubText } from '#shared/privacy/properties.ts'
import { phoneNumber, prose, revealsEmail, revealsPhone } from './generators.ts'

describe('scrubProperties', () => {
  it('keeps flat strings, finite numbers, booleans and null', () => {
    const input = { plan: 'team', value: 49.5, quantity: 2, trial: false, coupon: null }

    expect(scrubProperties(input)).toEqual(input)
  })

  it('drops keys named like personal data or secrets', () => {
    const input = { email: 'x', firstName: 'Jane', api_key: 'k', currency: 'EUR' }

    expect(scrubProperties(input)).toEqual({ currency: 'EUR' })
  })

  it('drops nested objects, arrays and other non-flat values', () => {
    const input = { items: [{ id: 1 }], address: { city: 'Berlin' }, meta: {}, total: 3, at: new Date(0) }

    expect(scrubProperties(input)).toEqual({ total: 3 })
  })

  it('drops numbers that are not finite', () => {
    expect(scrubProperties({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 1 })).toEqual({ c: 1 })
  })

  it('drops keys that would reach a prototype', () => {
    const input = JSON.parse('{"__proto__": "polluted", "constructor": "x", "prototype": "y", "ok": 1}')

    const scrubbed = scrubProperties(input)

    expect(scrubbed).toEqual({ ok: 1 })
    expect(Object.getPrototypeOf(scrubbed)).toBe(Object.prototype)
    expect(Object.hasOwn(scrubbed, '__proto__')).toBe(false)
  })

  it('drops keys that themselves hold an e-mail address or a token', () => {
    expect(scrubProperties({ 'jane@example.com': true, q3Xk9_Vd2LmZp8RtW1yBnA4sJ0cHfGe: 1, ok: 1 })).toEqual({
      ok: 1,
    })
  })

  it('scrubs URL values and drops other strings that hold an e-mail or phone', () => {
    const input = {
      landing: 'https://example.com/offer?email=jane@example.com&utm_source=news',
      note: 'call +49 30 1234567 or write to jane@example.com',
    }

    expect(scrubProperties(input)).toEqual({ landing: 'https://example.com/offer?utm_source=news' })
  })

  it('drops string values that are tokens', () => {
    expect(scrubProperties({ ref: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', ok: 'yes' })).toEqual({
      ok: 'yes',
    })
  })

  it('returns an empty object for no properties', () => {
    expect(scrubProperties(undefined)).toEqual({})
  })

  it('leaves no e-mail address or phone number in any value', () => {
    fc.assert(
      fc.property(prose, fc.emailAddress(), phoneNumber, prose, (before, email, phone, after) => {
        const scrubbed = scrubProperties({
          text: `${before}${email}${after}`,
          spoken: `${before} ${phone} ${after}`,
          link: `https://example.com/p?ref=${encodeURIComponent(email)}&tel=${encodeURIComponent(phone)}`,
        })

        for (const value of Object.values(scrubbed)) {
          expect(revealsEmail(String(value), email)).toBe(false)
          expect(revealsPhone(String(value), phone)).toBe(false)
        }
      }),
    )
  })

  it('returns only flat values from any JSON input', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (input) => {
        for (const value of Object.values(scrubProperties(input))) {
          expect(value === null || ['string', 'number', 'boolean'].includes(typeof value)).toBe(true)
        }
      }),
    )
  })
})

describe('scrubText', () => {
  it('redacts e-mails and phones and trims', () => {
    expect(scrubText('  Welcome back, jane@example.com  ')).toBe('Welcome back, [redacted]')
  })

  it('cuts to the maximum length after redacting', () => {
    expect(scrubText('Order confirmed for jane@example.com', 15)).toBe('Order confirmed')
  })

  it('does not cut a character in half', () => {
    expect(scrubText('ab😀', 3)).toBe('ab')
  })

  it('returns undefined for missing or blank text', () => {
    expect(scrubText(undefined)).toBeUndefined()
    expect(scrubText('   ')).toBeUndefined()
  })

  it('redacts the whole text when an e-mail address only shows after decoding', () => {
    expect(scrubText('Hi j%C3%B6rg%40m%C3%BCller.de')).toBe('[redacted]')
  })

  it('leaves no e-mail address in any title', () => {
    fc.assert(
      fc.property(fc.string(), fc.emailAddress(), fc.string(), (before, email, after) => {
        expect(scrubText(`${before}${email}${after}`)).not.toContain(email)
      }),
    )
  })

  it('leaves no phone number in any title made of prose', () => {
    fc.assert(
      fc.property(prose, phoneNumber, prose, (before, phone, after) => {
        expect(revealsPhone(scrubText(`${before} ${phone} ${after}`), phone)).toBe(false)
      }),
    )
  })
})
