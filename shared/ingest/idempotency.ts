import type { VendorMessage } from '#shared/delivery/message.ts'
import type { DecisionRecord } from './collect.ts'

/** How long a queued messageId is remembered: client resends (timeouts, 5xx) come within seconds to hours. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60
const MILLISECONDS_PER_SECOND = 1000

export const RESEND_REASON = 'resend of an event already queued'
export const REFUSED_REASON = 'messageId already used by another visitor of this site: refused'

/** Which visitor (consent key) a site's messageId was queued for. */
export interface QueuedMark {
  messageId: string
  consentKey: string
}

/** Remembers, per site and messageId, that an event was queued (DynamoDB in AWS and locally). */
export interface IdempotencyStore {
  /** The consent key each of these messageIds was queued for; ids never queued are absent. */
  queuedBy(siteId: string, messageIds: ReadonlyArray<string>): Promise<Map<string, string>>
  /** Remembers these as queued until `expiresAt` (epoch seconds); a mark already there is kept. */
  markQueued(siteId: string, marks: ReadonlyArray<QueuedMark>, expiresAt: number): Promise<void>
}

export interface Screened<E> {
  /** The events to decide and queue: neither a resend nor another visitor's messageId. */
  fresh: E[]
  /** Events refused because their messageId was queued for another visitor. */
  refused: number
  /** To be called once every vendor's queue took the messages, so a failed enqueue is retried in full. */
  markQueued(queued: Iterable<VendorMessage>): Promise<void>
}

/**
 * Keeps a client's resend of an already queued event (same site, messageId and visitor) from reaching
 * a vendor twice, and refuses a messageId another visitor already used rather than merging the two.
 *
 * Marks are written only after the enqueue succeeded (never before: a crash between a mark and the
 * enqueue would make the client's resend look like a duplicate and lose the event). The window left is
 * duplicates, never loss: a crash or a mark write failing after the enqueue, or two copies of the same
 * event in flight at once, may queue it twice (the deliverer's consumers are at-least-once anyway).
 *
 * Another visitor's messageId gets a per-event refusal inside the 200 answer, not a 4xx: Segment
 * clients treat 4xx as permanent and drop the whole batch, which would lose the batch's other events.
 */
export async function screenResends<E extends { messageId: string }>(
  siteId: string,
  events: ReadonlyArray<E>,
  consentKeyOf: (event: E) => string,
  deps: {
    idempotency?: IdempotencyStore
    now: () => Date
    onDecision?: (decision: DecisionRecord) => void
  },
): Promise<Screened<E>> {
  const store = deps.idempotency
  if (!store) return { fresh: [...events], refused: 0, markQueued: async () => {} }
  const queuedBy = await store.queuedBy(siteId, [...new Set(events.map((event) => event.messageId))])
  const fresh: E[] = []
  let refused = 0
  for (const event of events) {
    const key = consentKeyOf(event)
    const owner = queuedBy.get(event.messageId)
    if (owner === undefined) {
      // A repeat inside the same request is screened like a resend of the first.
      queuedBy.set(event.messageId, key)
      fresh.push(event)
      continue
    }
    const sameVisitor = owner === key
    if (!sameVisitor) refused += 1
    deps.onDecision?.({
      messageId: event.messageId,
      vendor: null,
      allow: false,
      reason: sameVisitor ? RESEND_REASON : REFUSED_REASON,
    })
  }
  return {
    fresh,
    refused,
    async markQueued(queued) {
      const marks = new Map<string, QueuedMark>()
      for (const { messageId, consentKey } of queued) marks.set(messageId, { messageId, consentKey })
      if (marks.size === 0) return
      const expiresAt = Math.floor(deps.now().getTime() / MILLISECONDS_PER_SECOND) + IDEMPOTENCY_TTL_SECONDS
      await store.markQueued(siteId, [...marks.values()], expiresAt)
    },
  }
}
