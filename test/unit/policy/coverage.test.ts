import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { policyCatalogue } from '#shared/policy/catalogue.ts'
import { coverageOf } from '#shared/policy/coverage.ts'
import { VENDORS } from '#shared/vendors/index.ts'
import { publishedArbitrary, purposeArbitrary, vendorIdArbitrary } from './arbitraries.ts'

const DEPLOYMENT_VERSION = '2018-05'
const version = (
  name: string,
  effectiveAt: string,
  covers: Record<string, Array<'analytics' | 'marketing'>>,
) => ({
  version: name,
  effectiveAt,
  publishedAt: effectiveAt,
  covers,
})

describe('policy coverage', () => {
  it('never lets a consent under a version count for a pair that version does not cover', () => {
    fc.assert(
      fc.property(publishedArbitrary, vendorIdArbitrary, purposeArbitrary, (published, vendorId, purpose) => {
        const coverage = coverageOf(policyCatalogue(published, DEPLOYMENT_VERSION))
        for (const item of published) {
          const listed = item.covers[vendorId]?.includes(purpose) ?? false
          expect(coverage.check(item.version, vendorId, purpose).covered).toBe(listed)
        }
      }),
    )
  })

  it('counts a consent under a version nobody published for nothing, naming the version', () => {
    fc.assert(
      fc.property(publishedArbitrary, vendorIdArbitrary, purposeArbitrary, (published, vendorId, purpose) => {
        const coverage = coverageOf(policyCatalogue(published, DEPLOYMENT_VERSION))
        expect(coverage.check('never-published', vendorId, purpose)).toEqual({
          covered: false,
          reason: 'consent under policy never-published, which is not a published version, covers nothing',
        })
      }),
    )
  })

  it('treats the deployment’s version as the implicit first one: every vendor for the purposes it declares', () => {
    const coverage = coverageOf(policyCatalogue([], DEPLOYMENT_VERSION))
    for (const vendor of VENDORS) {
      for (const purpose of new Set(Object.values(vendor.purposes))) {
        expect(coverage.check(DEPLOYMENT_VERSION, vendor.id, purpose)).toEqual({ covered: true })
      }
    }
    // GA4 declares analytics only (its ad signals follow marketing separately).
    expect(coverage.check(DEPLOYMENT_VERSION, 'ga4', 'marketing').covered).toBe(false)
  })

  it('a published item of the deployment’s version replaces the implicit one', () => {
    const coverage = coverageOf(
      policyCatalogue(
        [version(DEPLOYMENT_VERSION, '2018-05-25T00:00:00Z', { ga4: ['analytics'] })],
        DEPLOYMENT_VERSION,
      ),
    )
    expect(coverage.check(DEPLOYMENT_VERSION, 'meta', 'marketing').covered).toBe(false)
  })

  it('names the first later version that adds the pair', () => {
    const catalogue = policyCatalogue(
      [
        version('2026-12', '2026-12-01T00:00:00Z', { ga4: ['analytics'], meta: ['marketing'] }),
        version('2026-06', '2026-06-01T00:00:00Z', { ga4: ['analytics'] }),
        version('2027-06', '2027-06-01T00:00:00Z', { meta: ['marketing'], linkedin: ['marketing'] }),
      ],
      DEPLOYMENT_VERSION,
    )
    const coverage = coverageOf(catalogue)
    expect(coverage.check('2026-06', 'meta', 'marketing')).toEqual({
      covered: false,
      reason: 'consent under policy 2026-06 does not cover meta for marketing (added by 2026-12)',
    })
    expect(coverage.check('2026-12', 'hubspot', 'analytics')).toEqual({
      covered: false,
      reason: 'consent under policy 2026-12 does not cover hubspot for analytics',
    })
    expect(coverage.check('2026-12', '__proto__', 'analytics').covered).toBe(false)
  })
})
