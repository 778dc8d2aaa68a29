import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { consentKey, ga4ClientId, vendorPseudonym } from '#shared/privacy/pseudonym.ts'

const key = fc.string({ minLength: 16, maxLength: 64 })
const siteId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)
const visitorId = fc.uuid()

describe('consentKey', () => {
  it('is stable for the same key, site and visitor', () => {
    fc.assert(
      fc.property(key, siteId, visitorId, (secret, site, visitor) => {
        expect(consentKey(secret, site, visitor)).toBe(consentKey(secret, site, visitor))
      }),
    )
  })

  it('changes with the key, so it cannot be recomputed without it', () => {
    fc.assert(
      fc.property(key, key, siteId, visitorId, (first, second, site, visitor) => {
        fc.pre(first !== second)
        expect(consentKey(first, site, visitor)).not.toBe(consentKey(second, site, visitor))
      }),
    )
  })

  it('differs per site for the same visitor', () => {
    fc.assert(
      fc.property(key, siteId, siteId, visitorId, (secret, first, second, visitor) => {
        fc.pre(first !== second)
        expect(consentKey(secret, first, visitor)).not.toBe(consentKey(secret, second, visitor))
      }),
    )
  })

  it('does not contain the visitor id', () => {
    fc.assert(
      fc.property(key, siteId, visitorId, (secret, site, visitor) => {
        expect(consentKey(secret, site, visitor)).not.toContain(visitor)
      }),
    )
  })

  it('does not confuse the boundary between site and visitor', () => {
    expect(consentKey('k'.repeat(32), 'ab', 'c')).not.toBe(consentKey('k'.repeat(32), 'a', 'bc'))
  })
})

describe('vendorPseudonym', () => {
  it('is 64 hex characters and differs per vendor', () => {
    fc.assert(
      fc.property(key, siteId, visitorId, (secret, site, visitor) => {
        const meta = vendorPseudonym(secret, 'meta', site, visitor)

        expect(meta).toMatch(/^[0-9a-f]{64}$/)
        expect(meta).not.toBe(vendorPseudonym(secret, 'linkedin', site, visitor))
      }),
    )
  })
})

describe('ga4ClientId', () => {
  it('looks like a gtag client id and is stable', () => {
    fc.assert(
      fc.property(key, siteId, visitorId, (secret, site, visitor) => {
        const clientId = ga4ClientId(secret, site, visitor)

        expect(clientId).toMatch(/^\d{1,10}\.\d{10}$/)
        expect(ga4ClientId(secret, site, visitor)).toBe(clientId)
      }),
    )
  })

  it('changes with the key and with the site', () => {
    fc.assert(
      fc.property(
        key,
        key,
        siteId,
        siteId,
        visitorId,
        (firstKey, secondKey, firstSite, secondSite, visitor) => {
          fc.pre(firstKey !== secondKey && firstSite !== secondSite)
          const clientId = ga4ClientId(firstKey, firstSite, visitor)

          expect(ga4ClientId(secondKey, firstSite, visitor)).not.toBe(clientId)
          expect(ga4ClientId(firstKey, secondSite, visitor)).not.toBe(clientId)
        },
      ),
    )
  })

  it('never contains the visitor id', () => {
    fc.assert(
      fc.property(
        key,
        siteId,
        fc.oneof(visitorId, fc.stringMatching(/^\d{10,12}$/)),
        (secret, site, visitor) => {
          expect(ga4ClientId(secret, site, visitor)).not.toContain(visitor)
        },
      ),
    )
  })
})
