import type { Purposes } from '#shared/consent/model.ts'
import type { EventType } from '#shared/events/model.ts'
import type { VendorId } from '#shared/vendors/index.ts'

/**
 * What the collector puts on a vendor's queue: the vendor-specific, minimised payload plus what the
 * deliverer needs to re-check consent at send time. No visitor id, no IP, no PII.
 */
export interface VendorMessage<Payload = unknown> {
  vendor: VendorId
  messageId: string
  siteId: string
  /** Keyed hash identifying the visitor's consent record. */
  consentKey: string
  /** The facts the consent decision depends on, so it can be taken again before sending. */
  recheck: {
    eventType: EventType
    eventConsent?: Partial<Purposes>
    gpc: boolean
    /** A contact form the visitor sent: forwarded because they asked, whatever their purposes say. */
    requestedByVisitor?: true
  }
  /** ISO 8601 */
  enqueuedAt: string
  payload: Payload
}

/** Puts minimised messages on a vendor's queue (SQS in AWS, in-process locally). */
export interface Dispatch {
  enqueue(vendor: VendorId, messages: ReadonlyArray<VendorMessage>): Promise<void>
}

/** Parks a message that must not be retried in the vendor's dead-letter queue, with its reason. */
export interface DeadLetters {
  park(message: VendorMessage, reason: string): Promise<void>
}
