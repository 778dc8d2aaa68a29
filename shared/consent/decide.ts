import type { EventType } from '#shared/events/model.ts'
import type { PolicyCoverage } from '#shared/policy/coverage.ts'
import type { RightsState } from '#shared/rights/api.ts'
import type { PurposeByEvent } from '#shared/vendors/contract.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import type { ConsentRecord, LegalBasis, Purpose, Purposes } from './model.ts'

/** What the admin configured for a vendor, as far as consent is concerned. */
export interface VendorPolicy {
  id: VendorId
  enabled: boolean
  /** Why it is off when not by the admin's switch (settings that may not run, such as a missing transfer safeguard). */
  offReason?: string
  legalBasis: LegalBasis
  purposes: PurposeByEvent
  /** It takes what a visitor asked to send (a contact form, privacy §4) without a purpose: HubSpot's forms. */
  takesVisitorRequests?: true
}

export type Decision = { allow: true; reason: string } | { allow: false; reason: string }

export interface DecisionInput {
  vendor: VendorPolicy
  stored: ConsentRecord | null
  event: {
    type: EventType
    consent?: Partial<Purposes>
    /**
     * The visitor asked for this to be sent (a contact form, privacy §4): no purpose applies, only the
     * vendor's switch. Never set for analytics or marketing data.
     */
    requestedByVisitor?: true
    /**
     * An event that belongs to no visitor (a Calendly booking not linked to one, sent on by the site's
     * `calendly.forwardUnlinked`): a fresh random id, no IP, no device, no personal data, so there is
     * no consent to look up; only the vendor's switch applies.
     */
    anonymousStatistic?: true
  }
  /** The request carried `Sec-GPC: 1`. */
  gpc: boolean
  /** What the policy version a consent was recorded under covers (privacy §11). */
  coverage: PolicyCoverage
  /** The visitor's restriction (Art. 18) and objections (Art. 21); null when none was ever set. */
  rights: RightsState | null
}

/** What optedIn looks at; rights absent counts as none set (callers that never read them, such as forms). */
type OptInFacts = Omit<DecisionInput, 'vendor' | 'coverage' | 'rights'> & { rights?: RightsState | null }

const deny = (reason: string): Decision => ({ allow: false, reason })

/**
 * Has the visitor opted in to this purpose for this event? Opt-in rules whatever a vendor's legal
 * basis: GA4's ad signals, for one, follow the marketing purpose only when it was granted.
 */
export function optedIn(purpose: Purpose, { stored, event, gpc, rights }: OptInFacts): boolean {
  if (rights?.restricted || rights?.objections[purpose]) return false
  if (gpc && purpose === 'marketing') return false
  if (event.consent?.[purpose] === false) return false
  return stored?.purposes[purpose] === true
}

/**
 * Has the visitor opted in to this purpose for this vendor, under a policy version that covers the
 * pair? What a vendor's optional extras (GA4's ad signals) follow: an opt-in given under a text that
 * did not mention them does not count (privacy §11).
 */
export function optedInFor(
  vendorId: string,
  purpose: Purpose,
  facts: OptInFacts,
  coverage: PolicyCoverage,
): boolean {
  if (!optedIn(purpose, facts) || !facts.stored) return false
  return coverage.check(facts.stored.policyVersion, vendorId, purpose).covered
}

/**
 * May this event go to this vendor? Default deny: stored consent is the authority, event-carried
 * consent, Sec-GPC, a restriction (Art. 18) and objections (Art. 21) can only narrow it, and every
 * answer says why. A refused consent and an objection give different reasons.
 */
export function decide({ vendor, stored, event, gpc, coverage, rights }: DecisionInput): Decision {
  if (!vendor.enabled) return deny(vendor.offReason ?? `${vendor.id} is switched off by admin`)
  // Art. 18 restricts processing of what is stored; a contact request the visitor makes while
  // restricted is a new request of theirs, so it still goes to the vendor that takes it.
  if (event.requestedByVisitor) {
    return vendor.takesVisitorRequests
      ? { allow: true, reason: 'the visitor asked to be contacted' }
      : deny(`${vendor.id} takes no requests a visitor made`)
  }
  if (event.anonymousStatistic) {
    return {
      allow: true,
      reason: 'belongs to no visitor and carries no personal data: no consent to look up',
    }
  }
  if (rights?.restricted) return deny('restricted by the visitor (GDPR Art. 18)')
  const purpose = vendor.purposes[event.type]
  if (!purpose) return deny(`${vendor.id} does not take ${event.type} events`)
  // Whatever the legal basis: an objection is at least a refusal of consent.
  if (rights?.objections[purpose]) return deny(`visitor objected to ${purpose} (GDPR Art. 21)`)
  if (gpc && purpose === 'marketing') return deny('Sec-GPC: 1 objects to marketing')
  if (event.consent?.[purpose] === false) return deny(`the event itself refuses ${purpose}`)

  const storedChoice = stored?.purposes[purpose]
  if (vendor.legalBasis === 'legitimate_interest') {
    if (storedChoice === false) return deny(`stored consent refuses ${purpose}`)
    return { allow: true, reason: `legitimate interest for ${purpose}, no objection stored` }
  }
  if (!stored) return deny(`no stored consent for ${purpose}`)
  if (!storedChoice) return deny(`stored consent refuses ${purpose}`)
  const covered = coverage.check(stored.policyVersion, vendor.id, purpose)
  if (!covered.covered) return deny(covered.reason)
  return { allow: true, reason: `stored consent for ${purpose} (policy ${stored.policyVersion})` }
}
