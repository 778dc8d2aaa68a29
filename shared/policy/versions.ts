import type { Purpose } from '#shared/consent/model.ts'

/**
 * Privacy-policy versions (privacy §11). Config table items: pk = POLICY_VERSIONS_PARTITION,
 * sk = the version, attributes as PolicyVersion. Published through the admin API, never changed.
 */
export const POLICY_VERSIONS_PARTITION = 'policy-versions'

/** The policy's objection window: 4 weeks from a version's effective date (privacy-policy-source §11.2). */
export const OBJECTION_WINDOW_DAYS = 28

export interface PolicyVersion {
  version: string
  /** ISO 8601: from when consents are recorded under it and its notice window opens. */
  effectiveAt: string
  /** ISO 8601 */
  publishedAt: string
  /**
   * The vendors and purposes this version's text covers. A consent recorded under it counts for
   * these only; a vendor or purpose a later version adds needs a fresh consent (GDPR Art. 7).
   */
  covers: Partial<Record<string, Purpose[]>>
  summary?: string
}
