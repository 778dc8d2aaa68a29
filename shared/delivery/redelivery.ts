/** A queue record as the deliverer must name it to change when it is received again. */
export interface RedeliverableRecord {
  /** SQS's message id of the record (what a partial batch failure names). */
  recordId: string
  /** The handle of this receive; SQS ignores (or refuses) a stale one. */
  receiptHandle: string
}

/** SQS's ChangeMessageVisibility maximum: 12 hours. */
export const MAX_REDELIVERY_DELAY_SECONDS = 12 * 60 * 60

/**
 * Sets when a failed record is received again (SQS ChangeMessageVisibility; the local queues do the
 * same in memory), so a retry honours the vendor's Retry-After and backs off instead of waiting out
 * one fixed visibility timeout.
 */
export interface Redelivery {
  /** Makes each record invisible for its `delaySeconds` (0 to MAX_REDELIVERY_DELAY_SECONDS) from now. */
  delay(records: ReadonlyArray<RedeliverableRecord & { delaySeconds: number }>): Promise<void>
}
