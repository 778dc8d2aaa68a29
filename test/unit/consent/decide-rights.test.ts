import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type DecisionInput, decide, optedIn, type VendorPolicy } from '#shared/consent/decide.ts'
import type { ConsentRecord, Purposes } from '#shared/consent/model.ts'
import type { EventType } from '#shared/events/model.ts'
import { EVERY_VERSION_COVERS_ALL } from '#shared/policy/coverage.ts'
import type { RightsState } from '#shared/rights/api.ts'

const analyticsVendor: VendorPolicy = {
  id: 'ga4',
  enabled: true,
  legalBasis: 'consent',
  purposes: { page: 'analytics', track: 'analytics', identify: 'analytics' },
}
const interestVendor: VendorPolicy = { ...analyticsVendor, legalBasis: 'legitimate_interest' }

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
const restricted: RightsState = { restricted: true, objections: {} }
const objectsToAnalytics: RightsState = { restricted: false, objections: { analytics: true } }

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

describe('decide with the visitor’s rights', () => {
  it('denies a restricted visitor, naming Art. 18, whatever the consent', () => {
    expect(decide(input({ rights: restricted }))).toEqual({
      allow: false,
      reason: 'restricted by the visitor (GDPR Art. 18)',
    })
    expect(decide(input({ vendor: interestVendor, stored: null, rights: restricted })).allow).toBe(false)
  })

  it('still sends a contact request the restricted visitor makes (a new request, not stored data)', () => {
    const hubspot: VendorPolicy = { ...analyticsVendor, id: 'hubspot', takesVisitorRequests: true }
    const asked = input({
      vendor: hubspot,
      rights: restricted,
      event: { type: 'track', requestedByVisitor: true },
    })
    expect(decide(asked)).toEqual({ allow: true, reason: 'the visitor asked to be contacted' })
  })

  it('denies a legitimate-interest vendor the purpose objected to, naming Art. 21, and only that one', () => {
    const rights = objectsToAnalytics
    expect(decide(input({ vendor: interestVendor, stored: null, rights }))).toEqual({
      allow: false,
      reason: 'visitor objected to analytics (GDPR Art. 21)',
    })
    const marketingInterest = { ...interestVendor, purposes: { page: 'marketing' as const } }
    expect(decide(input({ vendor: marketingInterest, stored: null, rights })).allow).toBe(true)
  })

  it('treats an objection as at least a refusal for a consent-based vendor, though consent was given', () => {
    expect(decide(input({ rights: objectsToAnalytics }))).toEqual({
      allow: false,
      reason: 'visitor objected to analytics (GDPR Art. 21)',
    })
  })

  it('keeps a refused consent and an objection apart in the reasons', () => {
    const refused = stored({ analytics: false, marketing: false })
    expect(decide(input({ vendor: interestVendor, stored: refused })).reason).toBe(
      'stored consent refuses analytics',
    )
    expect(decide(input({ vendor: interestVendor, rights: objectsToAnalytics })).reason).toBe(
      'visitor objected to analytics (GDPR Art. 21)',
    )
  })

  it('lifted (nothing set) decides as without rights', () => {
    const lifted: RightsState = { restricted: false, objections: {}, updatedAt: '2026-01-01T00:00:00.000Z' }
    expect(decide(input({ rights: lifted }))).toEqual(decide(input({})))
  })

  it('counts no opt-in (GA4’s ad signals) for a purpose objected to or while restricted', () => {
    const facts = { stored: granted, event: { type: 'page' as const }, gpc: false }
    expect(optedIn('marketing', facts)).toBe(true)
    expect(optedIn('marketing', { ...facts, rights: restricted })).toBe(false)
    expect(
      optedIn('marketing', { ...facts, rights: { restricted: false, objections: { marketing: true } } }),
    ).toBe(false)
    expect(
      optedIn('analytics', { ...facts, rights: { restricted: false, objections: { marketing: true } } }),
    ).toBe(true)
  })
})

const purposeArbitrary = fc.constantFrom('analytics' as const, 'marketing' as const)
const eventTypeArbitrary = fc.constantFrom<EventType>('page', 'track', 'identify')
const vendorArbitrary = fc.record({
  id: fc.constantFrom('ga4' as const, 'meta' as const, 'linkedin' as const, 'hubspot' as const),
  enabled: fc.boolean(),
  legalBasis: fc.constantFrom('consent' as const, 'legitimate_interest' as const),
  purposes: fc.record(
    { page: purposeArbitrary, track: purposeArbitrary, identify: purposeArbitrary },
    { requiredKeys: [] },
  ),
  takesVisitorRequests: fc.option(fc.constant(true as const), { nil: undefined }),
})
const storedArbitrary = fc.option(
  fc.record({ analytics: fc.boolean(), marketing: fc.boolean() }).map(stored),
  { nil: null },
)
const objectionsArbitrary = fc.record(
  { analytics: fc.constant(true as const), marketing: fc.constant(true as const) },
  { requiredKeys: [] },
)
const factsArbitrary = fc.record({
  vendor: vendorArbitrary.map(({ takesVisitorRequests, ...vendor }) =>
    takesVisitorRequests ? { ...vendor, takesVisitorRequests } : vendor,
  ),
  stored: storedArbitrary,
  event: fc.record(
    {
      type: eventTypeArbitrary,
      consent: fc.record({ analytics: fc.boolean(), marketing: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: ['type'] },
  ),
  gpc: fc.boolean(),
})

describe('decide properties with rights', () => {
  it('denies a restricted visitor by every vendor, for every event type and any stored consent', () => {
    fc.assert(
      fc.property(factsArbitrary, objectionsArbitrary, (facts, objections) => {
        const decision = decide({
          ...facts,
          coverage: EVERY_VERSION_COVERS_ALL,
          rights: { restricted: true, objections },
        })
        expect(decision.allow).toBe(false)
      }),
    )
  })

  it('never lets a legitimate-interest vendor take a purpose the visitor objected to', () => {
    fc.assert(
      fc.property(factsArbitrary, purposeArbitrary, objectionsArbitrary, (facts, purpose, others) => {
        const vendor = { ...facts.vendor, legalBasis: 'legitimate_interest' as const }
        if (vendor.purposes[facts.event.type] !== purpose) return
        const decision = decide({
          ...facts,
          vendor,
          coverage: EVERY_VERSION_COVERS_ALL,
          rights: { restricted: false, objections: { ...others, [purpose]: true } },
        })
        expect(decision.allow).toBe(false)
        if (vendor.enabled) expect(decision.reason).toBe(`visitor objected to ${purpose} (GDPR Art. 21)`)
      }),
    )
  })
})
