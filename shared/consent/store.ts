import type { ConsentRecord } from './model.ts'

/**
 * Decisions kept per visitor, the current one included: a new decision deletes the oldest beyond
 * this, so history (and the consent API's answer) stays bounded however often a visitor changes it.
 */
export const CONSENT_HISTORY_KEPT = 20

/** Where consent decisions live (DynamoDB in AWS and locally via dynalite). */
export interface ConsentStore {
  /** The visitor's current decision, or null when none is stored or it has expired at `now`. */
  current(consentKey: string, now: Date): Promise<ConsentRecord | null>
  /**
   * The current decisions of several visitors, each key read once and in as few round trips as the
   * store allows (DynamoDB: BatchGetItem). Every key is in the answer; null as for `current`.
   */
  currentMany?(consentKeys: ReadonlyArray<string>, now: Date): Promise<Map<string, ConsentRecord | null>>
  /**
   * Stores the decision as the current one and appends it to the visitor's history, keeping the
   * newest CONSENT_HISTORY_KEPT entries.
   */
  record(decision: ConsentRecord): Promise<void>
  /** The visitor's kept decisions that have not expired at `now`, oldest first. */
  history(consentKey: string, now: Date): Promise<ConsentRecord[]>
}
