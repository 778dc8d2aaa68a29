import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decide } from '#shared/consent/decide.ts'
import { EVERY_VERSION_COVERS_ALL } from '#shared/policy/coverage.ts'
import { VENDORS } from '#shared/vendors/index.ts'
import { parseVendorSettings, vendorPolicy } from '#shared/vendors/runtime-settings.ts'
import { EEA_COUNTRIES, transferRefusal } from '#shared/vendors/transfer.ts'

const ga4 = VENDORS[0]
const settingsWith = (transfer: unknown, extra: Record<string, unknown> = {}) =>
  parseVendorSettings('ga4', { enabled: true, measurementId: 'G-TEST123', transfer, ...extra })

const countryCode = fc
  .tuple(fc.integer({ min: 65, max: 90 }), fc.integer({ min: 65, max: 90 }))
  .map(([a, b]) => String.fromCharCode(a, b))

describe('third-country transfers (privacy §10)', () => {
  it('states a recipient country and a safeguard for every vendor by default', () => {
    for (const vendor of VENDORS) {
      const defaults = vendor.settingsSchema.safeParse({ enabled: false })
      // Some vendors need ids before they parse; the default transfer is there whatever else is missing.
      const transfer = defaults.success ? defaults.data.transfer : null
      if (transfer) expect(transfer, vendor.id).toEqual({ country: 'US', safeguard: 'dpf' })
    }
    expect(settingsWith(undefined).transfer).toEqual({ country: 'US', safeguard: 'dpf' })
  })

  it('refuses to switch on a vendor outside the EU/EEA without a safeguard, naming it and what is missing', () => {
    const refusal = transferRefusal(ga4, settingsWith({ country: 'US', safeguard: 'none' }))
    expect(refusal).toContain('Google Analytics 4 (ga4)')
    expect(refusal).toContain('transfer.safeguard')
  })

  it('refuses nothing inside the EU/EEA, and nothing for a vendor that is off', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EEA_COUNTRIES), (country) => {
        expect(transferRefusal(ga4, settingsWith({ country, safeguard: 'none' }))).toBeNull()
      }),
    )
    const off = { ...settingsWith({ country: 'US', safeguard: 'none' }), enabled: false }
    expect(transferRefusal(ga4, off)).toBeNull()
  })

  it('refuses every third country without a safeguard and accepts each real safeguard', () => {
    fc.assert(
      fc.property(
        countryCode.filter((c) => !EEA_COUNTRIES.has(c)),
        fc.constantFrom('adequacy', 'dpf', 'scc', 'explicit-consent'),
        (country, safeguard) => {
          expect(transferRefusal(ga4, settingsWith({ country, safeguard: 'none' }))).not.toBeNull()
          expect(transferRefusal(ga4, settingsWith({ country, safeguard }))).toBeNull()
        },
      ),
    )
  })

  it('refuses a transfer on explicit consent for a vendor on legitimate interest', () => {
    const settings = settingsWith(
      { country: 'US', safeguard: 'explicit-consent' },
      { legalBasis: 'legitimate_interest' },
    )
    expect(transferRefusal(ga4, settings)).toMatch(/legal basis must be consent/)
  })

  it('rejects a country that is not an ISO code, naming the field', () => {
    expect(() => settingsWith({ country: 'USA', safeguard: 'dpf' })).toThrow(/ga4\.transfer\.country/)
  })

  it('withholds from a vendor whose stored settings lack a safeguard, saying why', () => {
    const policy = vendorPolicy('ga4', settingsWith({ country: 'US', safeguard: 'none' }))
    expect(policy.enabled).toBe(false)
    const decision = decide({
      vendor: policy,
      stored: {
        consentKey: 'k',
        purposes: { analytics: true, marketing: true },
        policyVersion: '2018-05',
        receiptId: 'r',
        updatedAt: '2026-01-01T00:00:00.000Z',
        expiresAt: 2_000_000_000,
      },
      event: { type: 'track' },
      gpc: false,
      coverage: EVERY_VERSION_COVERS_ALL,
      rights: null,
    })
    expect(decision).toEqual({ allow: false, reason: expect.stringContaining('no transfer safeguard') })
  })
})
