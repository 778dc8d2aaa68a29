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
    /** Belongs to no visitor, carries no personal data (an unlinked Calendly booking the site forwards). */
    anonymousStatistic?: true
  }
  /** ISO 8601 */
  enqueuedAt: string
  payload: Payload
}

/**
 * An erasure request (GDPR Art. 17) on a vendor's queue, its own kind beside events (which have no
 * `kind`): never withheld by the consent re-check or the vendor switch, retried and dead-lettered as
 * events are.
 */
export interface ErasureMessage {
  kind: 'erase'
  vendor: VendorId
  messageId: string
  erasureId: string
  siteId: string
  consentKey: string
  /**
   * The vendor's own pseudonym of the visitor (GA4's client_id) and, for HubSpot, the admin's e-mail
   * sealed (shared/privacy/sealed-email.ts): never in clear on a queue.
   */
  subject: { pseudonym?: string; sealedEmail?: string }
  /** ISO 8601 */
  enqueuedAt: string
}

/** Any body on a vendor's queue. */
export type QueueMessage = VendorMessage | ErasureMessage

export function isErasureMessage(message: QueueMessage): message is ErasureMessage {
  return 'kind' in message && message.kind === 'erase'
}

/** Puts minimised messages on a vendor's queue (SQS in AWS, in-process locally). */
export interface Dispatch {
  enqueue(vendor: VendorId, messages: ReadonlyArray<VendorMessage>): Promise<void>
}

/** A Dispatch that takes erasure requests too (the SQS and local queues both do). */
export interface QueueDispatch {
  enqueue(vendor: VendorId, messages: ReadonlyArray<QueueMessage>): Promise<void>
}

/** Parks a message that must not be retried in the vendor's dead-letter queue, with its reason. */
export interface DeadLetters {
  park(message: QueueMessage, reason: string): Promise<void>
}
