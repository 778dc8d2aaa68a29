import { createHash } from 'node:crypto'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { APPOINTMENT_BOOKED, APPOINTMENT_CANCELED } from '#shared/tag/api.ts'
import type { InviteeCanceled, InviteeCreated } from './payload.ts'

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const
/** canceler_type values vendors.md names (UNCONFIRMED there); anything else is left out. */
const CANCELER_TYPES: ReadonlySet<string> = new Set(['host', 'invitee'])
const MILLISECONDS_PER_DAY = 24 * 60 * 60 * 1000

export type InviteeDelivery = InviteeCreated | InviteeCanceled

/** vendors.md §5.4 rule 8: one delivery of one event for one invitee. */
export function idempotencyKeyOf(delivery: InviteeDelivery): string {
  return `${delivery.event}:${delivery.payload.uri}`
}

/**
 * The event's messageId: a UUID-shaped digest of the site and the idempotency key, so a redelivery gets
 * the same id (the idempotency store screens it) while the invitee URI itself is stored and queued nowhere.
 */
export function messageIdOf(siteId: string, delivery: InviteeDelivery): string {
  const hex = createHash('sha256')
    .update(`calendly\u0000${siteId}\u0000${idempotencyKeyOf(delivery)}`)
    .digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/**
 * The track event a booking becomes, with non-identifying facts only: when the appointment starts (UTC
 * hour and weekday), how many days before it the booking or cancellation came, whether it was rescheduled and who canceled.
 * Nothing the invitee typed or that points at them (name, e-mail, answers, phone, URLs, location,
 * invitee URI) is read; no user agent or page either, so the webhook request's own are never used.
 */
export function bookingEvent(
  delivery: InviteeDelivery,
  messageId: string,
  anonymousId: string,
): IncomingEvent {
  const start = new Date(delivery.payload.scheduled_event.start_time)
  const bookedAt = new Date(delivery.created_at)
  const properties: Record<string, string | number | boolean> = {
    source: 'calendly',
    start_hour_utc: start.getUTCHours(),
    start_weekday_utc: WEEKDAYS[start.getUTCDay()] ?? 'unknown',
    days_before_start: Math.max(0, Math.floor((start.getTime() - bookedAt.getTime()) / MILLISECONDS_PER_DAY)),
    rescheduled: delivery.payload.rescheduled === true,
  }
  if (delivery.event === 'invitee.canceled') {
    const canceler = delivery.payload.cancellation.canceler_type
    if (typeof canceler === 'string' && CANCELER_TYPES.has(canceler)) properties.canceler_type = canceler
  }
  return {
    type: 'track',
    messageId,
    anonymousId,
    event: delivery.event === 'invitee.created' ? APPOINTMENT_BOOKED : APPOINTMENT_CANCELED,
    properties,
    traits: {},
    context: {},
    timestamp: delivery.created_at,
  }
}
