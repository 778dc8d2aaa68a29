import type { DeliveryOutcome, OutcomeReport } from '#shared/delivery/deliver.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { LedgerEntry } from './api.ts'
import type { LedgerRecord } from './ledger.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The outcomes that finish a message; a retry is not one (the message comes back). */
const FINAL_OUTCOMES: Partial<Record<DeliveryOutcome, LedgerEntry['outcome']>> = {
  delivered: 'delivered',
  withheld: 'withheld',
  parked: 'dead-lettered',
}

const nameOf =
  <S extends z.ZodMiniType>(schema: S, pick: (parsed: z.output<S>) => string) =>
  (payload: unknown): string | undefined => {
    const parsed = schema.safeParse(payload)
    return parsed.success ? pick(parsed.data) : undefined
  }

/** Where each vendor's payload carries the event's name (a name the collector mapped, never a value). */
const EVENT_NAME_OF: Record<string, (payload: unknown) => string | undefined> = {
  ga4: nameOf(z.object({ event: z.object({ name: z.string() }) }), (payload) => payload.event.name),
  meta: nameOf(z.object({ event_name: z.string() }), (payload) => payload.event_name),
  hubspot: nameOf(
    z.union([z.object({ eventName: z.string() }), z.object({ kind: z.literal('form') })]),
    (payload) => ('eventName' in payload ? payload.eventName : 'form'),
  ),
}

/** The event as sent: the vendor's event name where the payload has one, else the event type. */
export function sentEventName(message: VendorMessage): string {
  const name = EVENT_NAME_OF[message.vendor]?.(message.payload)
  return name !== undefined && name !== '' ? name : message.recheck.eventType
}

/** The ledger record for a message this batch finished, or null for one it did not (a retry). */
export function ledgerRecordOf(message: VendorMessage, report: OutcomeReport, at: Date): LedgerRecord | null {
  const outcome = FINAL_OUTCOMES[report.outcome]
  if (!outcome) return null
  return {
    consentKey: message.consentKey,
    entry: {
      messageId: message.messageId,
      vendor: message.vendor,
      event: sentEventName(message),
      at: at.toISOString(),
      outcome,
    },
  }
}
