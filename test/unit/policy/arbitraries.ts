import fc from 'fast-check'
import { PURPOSES, type Purpose } from '#shared/consent/model.ts'
import type { PolicyVersion } from '#shared/policy/versions.ts'

export const VENDOR_IDS = ['ga4', 'meta', 'linkedin', 'hubspot'] as const
export const START_MS = Date.parse('2026-01-01T00:00:00.000Z')
const YEAR_MS = 365 * 24 * 60 * 60 * 1000

export const purposeArbitrary: fc.Arbitrary<Purpose> = fc.constantFrom(...PURPOSES)
export const vendorIdArbitrary = fc.constantFrom(...VENDOR_IDS)

const coversArbitrary = fc.dictionary(vendorIdArbitrary, fc.uniqueArray(purposeArbitrary, { maxLength: 2 }), {
  maxKeys: 4,
})

/** Published versions with distinct names and effective dates within a year of START_MS. */
export const publishedArbitrary: fc.Arbitrary<PolicyVersion[]> = fc
  .uniqueArray(
    fc.record({
      version: fc.stringMatching(/^v[0-9]{1,3}$/),
      effectiveMs: fc.integer({ min: START_MS, max: START_MS + YEAR_MS }),
      covers: coversArbitrary,
    }),
    { selector: (item) => item.version, maxLength: 5 },
  )
  .map((items) =>
    items.map(({ version, effectiveMs, covers }) => ({
      version,
      effectiveAt: new Date(effectiveMs).toISOString(),
      publishedAt: new Date(START_MS).toISOString(),
      covers,
    })),
  )
