import type { VendorPolicy } from '#shared/consent/decide.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import type { DeadLetters, QueueMessage, VendorMessage } from '#shared/delivery/message.ts'
import { GA4_PURPOSES, toGa4Payload } from '../../support/ga4.ts'
import { collectedEvent, GA4_CONTEXT, NOW } from '../vendors/fixtures.ts'

export const GA4_POLICY: VendorPolicy = {
  id: 'ga4',
  enabled: true,
  legalBasis: 'consent',
  purposes: GA4_PURPOSES,
}

/** A GA4 message as the collector queues it. */
export function queuedMessage(overrides: Partial<VendorMessage> = {}): VendorMessage {
  const messageId = overrides.messageId ?? 'msg-1'
  return {
    vendor: 'ga4',
    messageId,
    siteId: 'shop',
    consentKey: 'consent-key-a',
    recheck: { eventType: 'track', gpc: false },
    enqueuedAt: NOW.toISOString(),
    payload: toGa4Payload(collectedEvent({ messageId }), GA4_CONTEXT),
    ...overrides,
  }
}

export function consentRecord(consentKey: string, analytics: boolean): ConsentRecord {
  return {
    consentKey,
    purposes: { analytics, marketing: false },
    policyVersion: '2018-05',
    receiptId: `receipt-${consentKey}`,
    updatedAt: '2025-06-01T00:00:00.000Z',
    expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
  }
}

/** A ConsentStore over a map, counting lookups; a key mapped to an Error makes its lookup fail. */
export function inMemoryConsent(
  records: Record<string, ConsentRecord | Error>,
): ConsentStore & { lookups: string[] } {
  const lookups: string[] = []
  return {
    lookups,
    async current(consentKey) {
      lookups.push(consentKey)
      const record = records[consentKey]
      if (record instanceof Error) throw record
      return record ?? null
    },
    async record() {
      throw new Error('not used by the deliverer')
    },
    async history() {
      throw new Error('not used by the deliverer')
    },
  }
}

/** DeadLetters that keep what was parked; `failing` makes every park throw. */
export function parkedList(
  failing = false,
): DeadLetters & { parked: Array<{ message: QueueMessage; reason: string }> } {
  const parked: Array<{ message: QueueMessage; reason: string }> = []
  return {
    parked,
    async park(message, reason) {
      if (failing) throw new Error('DLQ unavailable')
      parked.push({ message, reason })
    },
  }
}
