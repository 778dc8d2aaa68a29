import type { LastDelivery } from '#shared/admin/api.ts'
import type { LastDeliveryStore } from '#shared/admin/ports.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import type { DeliveryOutcome, OutcomeReport } from './deliver.ts'

/** The longest detail kept: a reason is a sentence, and the admin's table has one line for it. */
export const MAX_LAST_DELIVERY_DETAIL_CHARS = 200
/** A deliverer writes its outcome at most this often, unless the kind of outcome changed. */
export const LAST_DELIVERY_WRITE_INTERVAL_MS = 5_000

type Outcome = LastDelivery['outcome']

/** How a message's outcome reads to the admin, and how bad it is (higher is worse). */
const SUMMARY: Record<DeliveryOutcome, { outcome: Outcome; severity: number }> = {
  delivered: { outcome: 'delivered', severity: 0 },
  withheld: { outcome: 'withheld', severity: 1 },
  retry: { outcome: 'retry', severity: 2 },
  parked: { outcome: 'dead-lettered', severity: 3 },
}

/**
 * One batch in one outcome: the worst of its messages' (dead-lettered > retry > withheld > delivered),
 * with that message's reason as the detail. Null for a batch that reported nothing.
 */
export function summariseBatch(reports: ReadonlyArray<OutcomeReport>, at: Date): LastDelivery | null {
  let worst: OutcomeReport | undefined
  for (const report of reports)
    if (!worst || SUMMARY[report.outcome].severity > SUMMARY[worst.outcome].severity) worst = report
  if (!worst) return null
  const { outcome } = SUMMARY[worst.outcome]
  if (outcome === 'delivered') return { at: at.toISOString(), outcome }
  return { at: at.toISOString(), outcome, detail: shortDetail(worst.reason) }
}

/** A batch that failed as a whole (the vendor could not be bound): every record goes back to the queue. */
export function failedBatch(error: unknown, at: Date): LastDelivery {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return { at: at.toISOString(), outcome: 'failed', detail: shortDetail(detail) }
}

export interface LastDeliveryRecorder {
  /** Never rejects: a lost status write must not fail the batch it describes. */
  record(last: LastDelivery | null): Promise<void>
}

/**
 * Leaves a vendor's batch outcomes in the store, at most once per LAST_DELIVERY_WRITE_INTERVAL_MS per
 * process unless the outcome changed kind, so a busy deliverer costs a write every few seconds, not one
 * per batch. A failed write is reported and makes the next batch write again.
 */
export function lastDeliveryRecorder(
  vendor: VendorId,
  store: LastDeliveryStore,
  options: { now?: () => number; onError: (error: unknown) => void },
): LastDeliveryRecorder {
  const now = options.now ?? Date.now
  let written: { outcome: Outcome; atMs: number } | undefined
  return {
    async record(last) {
      if (!last) return
      const atMs = now()
      if (written?.outcome === last.outcome && atMs - written.atMs < LAST_DELIVERY_WRITE_INTERVAL_MS) return
      const attempt = { outcome: last.outcome, atMs }
      written = attempt
      try {
        await store.record(vendor, last)
      } catch (error) {
        if (written === attempt) written = undefined
        options.onError(error)
      }
    },
  }
}

function shortDetail(reason: string): string {
  const flat = reason.replace(/\s+/g, ' ').trim()
  return flat.length > MAX_LAST_DELIVERY_DETAIL_CHARS
    ? `${flat.slice(0, MAX_LAST_DELIVERY_DETAIL_CHARS - 1)}…`
    : flat
}
