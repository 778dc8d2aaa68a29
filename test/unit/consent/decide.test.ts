import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type DecisionInput, decide, type VendorPolicy } from '#shared/consent/decide.ts'
import type { ConsentRecord, Purposes } from '#shared/consent/model.ts'
import type { EventType } from '#shared/events/model.ts'
import { EVERY_VERSION_COVERS_ALL } from '#shared/policy/coverage.ts'

const analyticsVendor: VendorPolicy = {
  id: 'ga4',
  enabled: true,
  legalBasis: 'consent',
  purposes: { page: 'analytics', track: 'analytics' },
}
const marketingVendor: VendorPolicy = {
  ...analyticsVendor,
  purposes: { page: 'marketing', track: 'marketing' },
}

function stored(purposes: Purposes): ConsentRecord {
  return {
    consentKey: 'consent-key',
    purposes,
    policyVersion: '2024-05',
    receiptId: 'receipt-1',
    updatedAt: '2024-05-06T12:00:00.000Z',
    expiresAt: 1_800_000_000,
  }
}

const granted = stored({ analytics: true, marketing: true })
const refused = stored({ analytics: false, marketing: false })

function input(overrides: Partial<DecisionInput>): DecisionInput {
  return {
    vendor: analyticsVendor,
    stored: granted,
    event: { type: 'page' },
    gpc: false,
    coverage: EVERY_VERSION_COVERS_ALL,
    rights: null,
    ...overrides,
  }
}

describe('decide', () => {
  it('denies a visitor with no stored decision (default deny)', () => {
    expect(decide(input({ stored: null }))).toEqual({
      allow: false,
      reason: 'no stored consent for analytics',
    })
  })

  it('allows when the stored decision grants the purpose, naming the policy version', () => {
    expect(decide(input({}))).toEqual({
      allow: true,
      reason: 'stored consent for analytics (policy 2024-05)',
    })
  })

  it('denies when the stored decision refuses the purpose', () => {
    expect(decide(input({ stored: refused }))).toEqual({
      allow: false,
      reason: 'stored consent refuses analytics',
    })
  })

  it('denies every event to a vendor an admin switched off', () => {
    expect(decide(input({ vendor: { ...analyticsVendor, enabled: false } }))).toEqual({
      allow: false,
      reason: 'ga4 is switched off by admin',
    })
  })

  it('denies an event type the vendor does not take', () => {
    expect(decide(input({ event: { type: 'identify' } }))).toEqual({
      allow: false,
      reason: 'ga4 does not take identify events',
    })
  })

  it('lets consent carried in the event narrow stored consent', () => {
    const decision = decide(input({ event: { type: 'page', consent: { analytics: false } } }))

    expect(decision).toEqual({ allow: false, reason: 'the event itself refuses analytics' })
  })

  it('never lets consent carried in the event widen stored consent', () => {
    const decision = decide(input({ stored: refused, event: { type: 'page', consent: { analytics: true } } }))

    expect(decision.allow).toBe(false)
  })

  it('treats Sec-GPC as an objection to marketing', () => {
    expect(decide(input({ vendor: marketingVendor, gpc: true }))).toEqual({
      allow: false,
      reason: 'Sec-GPC: 1 objects to marketing',
    })
  })

  it('does not let Sec-GPC block analytics', () => {
    expect(decide(input({ gpc: true })).allow).toBe(true)
  })

  describe('under legitimate interest', () => {
    const interestVendor: VendorPolicy = { ...analyticsVendor, legalBasis: 'legitimate_interest' }

    it('allows a visitor who has not objected, even without a stored decision', () => {
      expect(decide(input({ vendor: interestVendor, stored: null }))).toEqual({
        allow: true,
        reason: 'legitimate interest for analytics, no objection stored',
      })
    })

    it('denies a visitor whose stored choice refuses the purpose', () => {
      expect(decide(input({ vendor: interestVendor, stored: refused }))).toEqual({
        allow: false,
        reason: 'stored consent refuses analytics',
      })
    })

    it('still honours Sec-GPC for marketing', () => {
      const vendor = { ...marketingVendor, legalBasis: 'legitimate_interest' as const }

      expect(decide(input({ vendor, stored: null, gpc: true })).allow).toBe(false)
    })
  })
})

const purposeArbitrary = fc.constantFrom('analytics' as const, 'marketing' as const)
const eventTypeArbitrary = fc.constantFrom<EventType>('page', 'track', 'identify')
const purposesArbitrary = fc.record({ analytics: fc.boolean(), marketing: fc.boolean() })
const storedArbitrary = fc.option(purposesArbitrary.map(stored), { nil: null })
const eventConsentArbitrary = fc.option(
  fc.record({ analytics: fc.boolean(), marketing: fc.boolean() }, { requiredKeys: [] }),
  { nil: undefined },
)
const rightsArbitrary = fc.option(
  fc.record(
    {
      restricted: fc.boolean(),
      objections: fc.record(
        { analytics: fc.constant(true as const), marketing: fc.constant(true as const) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['restricted', 'objections'] },
  ),
  { nil: null },
)
const vendorArbitrary = (legalBasis: VendorPolicy['legalBasis']) =>
  fc.record({
    id: fc.constant('ga4' as const),
    enabled: fc.boolean(),
    legalBasis: fc.constant(legalBasis),
    purposes: fc.record(
      { page: purposeArbitrary, track: purposeArbitrary, identify: purposeArbitrary },
      { requiredKeys: [] },
    ),
  })
const decisionInputArbitrary = (legalBasis: VendorPolicy['legalBasis']) =>
  fc.record({
    vendor: vendorArbitrary(legalBasis),
    stored: storedArbitrary,
    event: fc.record({ type: eventTypeArbitrary, consent: eventConsentArbitrary }),
    gpc: fc.boolean(),
    coverage: fc.constant(EVERY_VERSION_COVERS_ALL),
    rights: rightsArbitrary,
  })

describe('decide properties', () => {
  it('never allows under legal basis consent when stored consent refuses the purpose', () => {
    fc.assert(
      fc.property(decisionInputArbitrary('consent'), (decisionInput) => {
        const purpose = decisionInput.vendor.purposes[decisionInput.event.type]
        const storedRefuses = purpose === undefined || decisionInput.stored?.purposes[purpose] !== true
        if (storedRefuses) expect(decide(decisionInput).allow).toBe(false)
      }),
    )
  })

  it('never allows what the same request without event consent would deny', () => {
    fc.assert(
      fc.property(decisionInputArbitrary('consent'), (decisionInput) => {
        const withoutEventConsent = { ...decisionInput, event: { type: decisionInput.event.type } }
        if (!decide(withoutEventConsent).allow) expect(decide(decisionInput).allow).toBe(false)
      }),
    )
  })

  it('never allows a marketing event when Sec-GPC is set, whatever the legal basis', () => {
    const anyBasis = fc.oneof(
      decisionInputArbitrary('consent'),
      decisionInputArbitrary('legitimate_interest'),
    )
    fc.assert(
      fc.property(anyBasis, (decisionInput) => {
        const needsMarketing = decisionInput.vendor.purposes[decisionInput.event.type] === 'marketing'
        if (needsMarketing) expect(decide({ ...decisionInput, gpc: true }).allow).toBe(false)
      }),
    )
  })

  it('sends what the visitor asked for (a contact form) whatever the purposes, only to a vendor that takes such requests and is on', () => {
    const anyBasis = fc.oneof(
      decisionInputArbitrary('consent'),
      decisionInputArbitrary('legitimate_interest'),
    )
    fc.assert(
      fc.property(anyBasis, fc.boolean(), fc.boolean(), (decisionInput, enabled, takesRequests) => {
        const asked = {
          ...decisionInput,
          vendor: {
            ...decisionInput.vendor,
            enabled,
            ...(takesRequests ? { takesVisitorRequests: true as const } : {}),
          },
          event: { ...decisionInput.event, requestedByVisitor: true as const },
        }
        // Only a vendor that takes visitor requests (HubSpot's forms) may receive one.
        expect(decide(asked).allow).toBe(enabled && takesRequests)
      }),
    )
  })
})
