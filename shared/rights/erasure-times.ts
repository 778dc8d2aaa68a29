const SECONDS_PER_DAY = 24 * 60 * 60

/**
 * The tombstone outlives anything still queued for the visitor: SQS keeps a message at most 14 days
 * (the queues' retention), so after that nothing of theirs can be sent.
 */
export const ERASURE_TOMBSTONE_KEPT_SECONDS = 14 * SECONDS_PER_DAY

/** An erasure's status is readable this long (its vendors settle within the queues' retention). */
export const ERASURE_STATUS_KEPT_SECONDS = 30 * SECONDS_PER_DAY
