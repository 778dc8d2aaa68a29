import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkFbc, checkFbp, checkHubspotUtk, checkLiFatId, fbcFromFbclid } from '#shared/identity/formats.ts'

/** vendors.md §2.7 rule 11, copied here so the checks are held to the document, not to themselves. */
const FBP_RULE = /^fb\.\d+\.\d{13}\.\d+(\.[A-Za-z0-9_-]+)?$/
const FBC_RULE = /^fb\.\d+\.\d{13}\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/

const RECEIVED_AT = new Date('2026-12-03T10:00:00.000Z')

describe('checkFbp', () => {
  it.each(['fb.1.1596403881668.1116446470', 'fb.2.1596403881668.1116446470.AQ_x-1'])('keeps %s', (value) => {
    expect(checkFbp(value)).toBe(value)
  })

  it.each([
    'fb.1.159640388166.1116446470',
    'fb.1.1596403881668.abc',
    'FB.1.1596403881668.1116446470',
    'fb.1.1596403881668.1116446470.a.b',
    'fb.1.1596403881668.1116446470 ',
    '',
  ])('drops %s', (value) => {
    expect(checkFbp(value)).toBeUndefined()
  })
})

describe('checkFbc', () => {
  it('keeps a click id exactly as written, case included', () => {
    const value = 'fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890_-'
    expect(checkFbc(value)).toBe(value)
  })

  it.each(['fb.1.1554763741205.', 'fb.1.1554763741205.abc$def', 'fb.1.155476374120.abc'])(
    'drops %s',
    (value) => {
      expect(checkFbc(value)).toBeUndefined()
    },
  )

  it('drops an oversized value even of the right form', () => {
    expect(checkFbc(`fb.1.1554763741205.${'a'.repeat(2000)}`)).toBeUndefined()
  })
})

describe('fbcFromFbclid', () => {
  it('builds fb.1.<received ms>.<fbclid> without touching the fbclid', () => {
    expect(fbcFromFbclid('IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk', RECEIVED_AT)).toBe(
      'fb.1.1796292000000.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk',
    )
  })

  it('builds nothing from an fbclid outside its charset or too long', () => {
    expect(fbcFromFbclid('abc.def', RECEIVED_AT)).toBeUndefined()
    expect(fbcFromFbclid('abc def', RECEIVED_AT)).toBeUndefined()
    expect(fbcFromFbclid('a'.repeat(513), RECEIVED_AT)).toBeUndefined()
    expect(fbcFromFbclid(undefined, RECEIVED_AT)).toBeUndefined()
  })

  it('always yields a value of the documented _fbc format', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,512}$/), (fbclid) => {
        const fbc = fbcFromFbclid(fbclid, RECEIVED_AT)
        expect(fbc).toMatch(FBC_RULE)
        expect(fbc?.endsWith(`.${fbclid}`)).toBe(true)
      }),
    )
  })
})

describe('checkLiFatId and checkHubspotUtk', () => {
  it('keeps a UUID li_fat_id and a 32-hex hubspotutk', () => {
    expect(checkLiFatId('0f6c5a3e-9f7b-4b1a-8c2d-1e2f3a4b5c6d')).toBe('0f6c5a3e-9f7b-4b1a-8c2d-1e2f3a4b5c6d')
    expect(checkHubspotUtk('9b1f4c3e2a5d6f7081929a3b4c5d6e7f')).toBe('9b1f4c3e2a5d6f7081929a3b4c5d6e7f')
  })

  it('drops anything else', () => {
    expect(checkLiFatId('not-a-uuid')).toBeUndefined()
    expect(checkLiFatId('0f6c5a3e9f7b4b1a8c2d1e2f3a4b5c6d')).toBeUndefined()
    expect(checkHubspotUtk('9b1f4c3e2a5d6f7081929a3b4c5d6e7')).toBeUndefined()
    expect(checkHubspotUtk('zb1f4c3e2a5d6f7081929a3b4c5d6e7f')).toBeUndefined()
  })
})

describe('properties', () => {
  it('a checker answers its input unchanged and only when the documented rule holds', () => {
    const candidate = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .tuple(fc.nat(9), fc.stringMatching(/^\d{11,14}$/), fc.stringMatching(/^[A-Za-z0-9_.-]{0,20}$/))
        .map(([index, time, rest]) => `fb.${index}.${time}.${rest}`),
    )
    fc.assert(
      fc.property(candidate, (value) => {
        expect(checkFbp(value)).toBe(FBP_RULE.test(value) ? value : undefined)
        expect(checkFbc(value)).toBe(FBC_RULE.test(value) ? value : undefined)
      }),
      { numRuns: 2000 },
    )
  })

  it('takes linear time on adversarial input', () => {
    const started = performance.now()
    checkFbc(`fb.1.1554763741205.${'a'.repeat(1000)}.${'a'.repeat(5)}!`)
    checkFbp(`fb.${'1'.repeat(1000)}!`)
    expect(performance.now() - started).toBeLessThan(50)
  })
})
