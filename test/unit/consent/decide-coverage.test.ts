import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decide, type VendorPolicy } from '#shared/consent/decide.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import { policyCatalogue } from '#shared/policy/catalogue.ts'
import { coverageOf } from '#shared/policy/coverage.ts'
import { publishedArbitrary, purposeArbitrary, vendorIdArbitrary } from '../policy/arbitraries.ts'

const DEPLOYMENT_VERSION = '2018-05'

const grantedUnder = (policyVersion: string): ConsentRecord => ({
  consentKey: 'consent-key',
  purposes: { analytics: true, marketing: true },
  policyVersion,
  receiptId: 'receipt-1',
  updatedAt: '2026-06-01T00:00:00.000Z',
  expiresAt: 1_900_000_000,
})

describe('decide with policy coverage', () => {
  it('never grants a consent-basis vendor a pair the stored consent’s version does not cover; legitimate interest unchanged', () => {
    fc.assert(
      fc.property(
        publishedArbitrary,
        vendorIdArbitrary,
        purposeArbitrary,
        fc.constantFrom<'consent' | 'legitimate_interest'>('consent', 'legitimate_interest'),
        fc.option(fc.constant('unpublished')),
        (published, id, purpose, legalBasis, unpublished) => {
          const coverage = coverageOf(policyCatalogue(published, DEPLOYMENT_VERSION))
          const vendor: VendorPolicy = { id, enabled: true, legalBasis, purposes: { page: purpose } }
          const names = [
            DEPLOYMENT_VERSION,
            ...published.map((item) => item.version),
            unpublished ?? 'unpublished',
          ]
          for (const version of names) {
            const decision = decide({
              vendor,
              stored: grantedUnder(version),
              event: { type: 'page' },
              gpc: false,
              coverage,
              rights: null,
            })
            const covered = coverage.check(version, id, purpose).covered
            expect(decision.allow).toBe(legalBasis === 'legitimate_interest' || covered)
          }
        },
      ),
    )
  })

  it('says which version the consent was given under and which version added the vendor', () => {
    const coverage = coverageOf(
      policyCatalogue(
        [
          {
            version: DEPLOYMENT_VERSION,
            effectiveAt: '2018-05-25T00:00:00Z',
            publishedAt: '2018-05-01T00:00:00Z',
            covers: { ga4: ['analytics'] },
          },
          {
            version: '2026-12',
            effectiveAt: '2026-12-01T00:00:00Z',
            publishedAt: '2026-11-01T00:00:00Z',
            covers: { meta: ['marketing'] },
          },
        ],
        DEPLOYMENT_VERSION,
      ),
    )
    const meta: VendorPolicy = {
      id: 'meta',
      enabled: true,
      legalBasis: 'consent',
      purposes: { page: 'marketing' },
    }
    expect(
      decide({
        vendor: meta,
        stored: grantedUnder(DEPLOYMENT_VERSION),
        event: { type: 'page' },
        gpc: false,
        coverage,
        rights: null,
      }),
    ).toEqual({
      allow: false,
      reason: 'consent under policy 2018-05 does not cover meta for marketing (added by 2026-12)',
    })
    expect(
      decide({
        vendor: meta,
        stored: grantedUnder('2026-12'),
        event: { type: 'page' },
        gpc: true,
        coverage,
        rights: null,
      }),
    ).toEqual({ allow: false, reason: 'Sec-GPC: 1 objects to marketing' })
    expect(
      decide({
        vendor: { ...meta, id: 'hubspot', takesVisitorRequests: true },
        stored: null,
        event: { type: 'track', requestedByVisitor: true },
        gpc: false,
        coverage,
        rights: null,
      }),
    ).toEqual({ allow: true, reason: 'the visitor asked to be contacted' })
  })
})
