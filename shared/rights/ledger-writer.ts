import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { DeliveryLedger } from './ledger.ts'
import { ledgerRecordOf } from './ledger-entry.ts'

/**
 * A batch's finished messages into the ledger. Never rejects: the ledger is a record of deliveries,
 * and a failed write must neither fail a delivery nor send it again, so it is only reported.
 */
export function ledgerWriter(
  ledger: DeliveryLedger,
  reportError: (error: unknown) => void,
  now: () => Date = () => new Date(),
): (reports: ReadonlyArray<OutcomeReport>, messages: ReadonlyMap<string, VendorMessage>) => Promise<void> {
  return async (reports, messages) => {
    try {
      const at = now()
      const records = reports.flatMap((report) => {
        const message = messages.get(report.messageId)
        const record = message ? ledgerRecordOf(message, report, at) : null
        return record ? [record] : []
      })
      if (records.length > 0) await ledger.record(records)
    } catch (error) {
      reportError(error)
    }
  }
}
