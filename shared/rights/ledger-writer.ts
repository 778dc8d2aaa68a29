import type { ConsentStore } from '#shared/consent/store.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { DeliveryLedger, LedgerRecord } from './ledger.ts'
import { ledgerRecordOf } from './ledger-entry.ts'

export interface LedgerWriterDeps {
  ledger: DeliveryLedger
  /**
   * Where the writer asks whether a withheld message's visitor has a consent record. Of a visitor with
   * none (never consented, or erased) nothing is kept: a withheld entry would be the only item stored.
   */
  consent: Pick<ConsentStore, 'current' | 'currentMany'>
  reportError: (error: unknown) => void
  now?: () => Date
}

/**
 * A batch's finished messages into the ledger. Never rejects: the ledger is a record of deliveries,
 * and a failed write must neither fail a delivery nor send it again, so it is only reported.
 */
export function ledgerWriter(
  deps: LedgerWriterDeps,
): (reports: ReadonlyArray<OutcomeReport>, messages: ReadonlyMap<string, VendorMessage>) => Promise<void> {
  const now = deps.now ?? (() => new Date())
  return async (reports, messages) => {
    try {
      const at = now()
      const records = reports.flatMap((report) => {
        const message = messages.get(report.messageId)
        const record = message ? ledgerRecordOf(message, report, at) : null
        return record ? [record] : []
      })
      const kept = await withoutUnknownVisitors(records, deps.consent, at)
      if (kept.length > 0) await deps.ledger.record(kept)
    } catch (error) {
      deps.reportError(error)
    }
  }
}

async function withoutUnknownVisitors(
  records: ReadonlyArray<LedgerRecord>,
  consent: LedgerWriterDeps['consent'],
  now: Date,
): Promise<LedgerRecord[]> {
  const asked = [
    ...new Set(
      records.filter(({ entry }) => entry.outcome === 'withheld').map(({ consentKey }) => consentKey),
    ),
  ]
  if (asked.length === 0) return [...records]
  const found = consent.currentMany
    ? await consent.currentMany(asked, now)
    : new Map(await Promise.all(asked.map(async (key) => [key, await consent.current(key, now)] as const)))
  return records.filter(
    ({ consentKey, entry }) => entry.outcome !== 'withheld' || (found.get(consentKey) ?? null) !== null,
  )
}
