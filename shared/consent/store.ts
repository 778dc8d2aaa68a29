import type { ConsentRecord } from './model.ts'

/** Where consent decisions live (DynamoDB in AWS and locally via dynalite). */
export interface ConsentStore {
  /** The visitor's current decision, or null when none is stored or it has expired at `now`. */
  current(consentKey: string, now: Date): Promise<ConsentRecord | null>
  /** Stores the decision as the current one and appends it to the visitor's history. */
  record(decision: ConsentRecord): Promise<void>
  /** Every decision the visitor made that has not expired at `now`, oldest first. */
  history(consentKey: string, now: Date): Promise<ConsentRecord[]>
}
