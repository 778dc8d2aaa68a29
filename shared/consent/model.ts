export const PURPOSES = ['analytics', 'marketing'] as const
export type Purpose = (typeof PURPOSES)[number]
export type Purposes = Record<Purpose, boolean>

/** How a vendor may process: opt-in (`consent`, the default) or opt-out (`legitimate_interest`). */
export type LegalBasis = 'consent' | 'legitimate_interest'

/** A visitor's stored decision. Keyed by a keyed hash of site + visitor id, never the id itself. */
export interface ConsentRecord {
  consentKey: string
  purposes: Purposes
  policyVersion: string
  /** Receipt id handed to the visitor as proof of this decision. */
  receiptId: string
  /** ISO 8601 time the decision was recorded. */
  updatedAt: string
  /** Epoch seconds after which the record no longer counts (DynamoDB TTL attribute). */
  expiresAt: number
  /** This decision is the visitor's objection to that policy version's notice (privacy §11). */
  objectedTo?: string
  /** The nonce of the visitor token issued with this record (issue 10); kept by every later decision. */
  tokenNonce?: string
}
