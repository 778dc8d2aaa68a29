import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_ANONYMOUS_ID_LENGTH, parseConsentRequest } from '#shared/consent/request-schema.ts'

describe('parseConsentRequest', () => {
  it('accepts a visitor id with any subset of the known purposes', () => {
    expect(parseConsentRequest({ anonymousId: 'visitor-1', purposes: { marketing: false } })).toEqual({
      ok: true,
      value: { anonymousId: 'visitor-1', purposes: { marketing: false } },
    })
  })

  it('accepts a write key in the body', () => {
    const parsed = parseConsentRequest({ anonymousId: 'v', purposes: {}, writeKey: 'shop-write-key' })

    expect(parsed).toMatchObject({ ok: true, value: { writeKey: 'shop-write-key' } })
  })

  it('names purposes.analytics when it is not a boolean', () => {
    expect(parseConsentRequest({ anonymousId: 'v', purposes: { analytics: 'true' } })).toMatchObject({
      ok: false,
      field: 'purposes.analytics',
    })
  })

  it('names an unknown purpose instead of ignoring it', () => {
    expect(parseConsentRequest({ anonymousId: 'v', purposes: { profiling: true } })).toEqual({
      ok: false,
      field: 'purposes.profiling',
      message: 'is not a known field',
    })
  })

  it('names a missing purposes object', () => {
    expect(parseConsentRequest({ anonymousId: 'v' })).toMatchObject({ ok: false, field: 'purposes' })
  })

  it('refuses an anonymousId longer than the limit', () => {
    const anonymousId = 'v'.repeat(MAX_ANONYMOUS_ID_LENGTH + 1)

    expect(parseConsentRequest({ anonymousId, purposes: {} })).toMatchObject({
      ok: false,
      field: 'anonymousId',
    })
  })

  it('names the body when it is not an object', () => {
    expect(parseConsentRequest([1, 2])).toMatchObject({ ok: false, field: 'body' })
  })
})

describe('parseConsentRequest properties', () => {
  it('never throws and either accepts or names a field, whatever JSON it gets', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const parsed = parseConsentRequest(input)
        if (!parsed.ok) expect(parsed.field.length).toBeGreaterThan(0)
      }),
    )
  })

  it('accepts every well-formed request unchanged', () => {
    const request = fc.record(
      {
        anonymousId: fc.string({ minLength: 1, maxLength: MAX_ANONYMOUS_ID_LENGTH }),
        purposes: fc.record({ analytics: fc.boolean(), marketing: fc.boolean() }, { requiredKeys: [] }),
        writeKey: fc.string(),
      },
      { requiredKeys: ['anonymousId', 'purposes'] },
    )
    fc.assert(
      fc.property(request, (input) => {
        expect(parseConsentRequest(input)).toEqual({ ok: true, value: input })
      }),
    )
  })

  it('refuses any purpose that is not analytics or marketing, naming it', () => {
    const unknownPurpose = fc
      .string({ minLength: 1 })
      .filter((key) => !['analytics', 'marketing', '__proto__'].includes(key))
    fc.assert(
      fc.property(unknownPurpose, fc.boolean(), (key, value) => {
        const parsed = parseConsentRequest({ anonymousId: 'v', purposes: { [key]: value } })
        expect(parsed).toEqual({ ok: false, field: `purposes.${key}`, message: 'is not a known field' })
      }),
    )
  })
})
