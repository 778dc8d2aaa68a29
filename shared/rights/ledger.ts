import type { LedgerEntry } from './api.ts'

/** One ledger entry and the visitor it is about (the consent key the queued message carried). */
export interface LedgerRecord {
  consentKey: string
  entry: LedgerEntry
}

/**
 * What each vendor was sent for each visitor (issue 10, Art. 15): written by the deliverers, one entry
 * per message and vendor, the final outcome overwriting an earlier one, kept for `retention.ledgerDays`.
 */
export interface DeliveryLedger {
  /** Rejects when entries could not be written; the caller reports it and never fails a delivery for it. */
  record(records: ReadonlyArray<LedgerRecord>): Promise<void>
}
