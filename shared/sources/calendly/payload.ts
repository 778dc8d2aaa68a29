import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** vendors.md §5.4 rule 5: the events a subscription may deliver. */
export const CALENDLY_EVENTS = [
  'invitee.created',
  'invitee.canceled',
  'invitee_no_show.created',
  'invitee_no_show.deleted',
] as const
export type CalendlyEventName = (typeof CALENDLY_EVENTS)[number]

const INVITEE_URI = /^https:\/\/api\.calendly\.com\/scheduled_events\/[^/]+\/invitees\/[^/]+$/
const isoTime = z.iso.datetime({ offset: true })
const trackingValue = z.optional(z.nullable(z.string()))

/** rule 6: the six tracking keys (Ruby SDK model), no other; strings or null. */
const tracking = z.strictObject({
  utm_campaign: trackingValue,
  utm_source: trackingValue,
  utm_medium: trackingValue,
  utm_content: trackingValue,
  utm_term: trackingValue,
  salesforce_uuid: trackingValue,
})

/**
 * What an invitee event must carry (rules 6–7). `email` is checked for shape and then never read;
 * z.object drops every key not named here (names, answers, phone, URLs, location) from the output.
 */
function inviteeEvent<E extends string, S extends string, C extends z.ZodMiniType>(
  event: E,
  status: S,
  cancellation: C,
) {
  return z.object({
    event: z.literal(event),
    created_at: isoTime,
    payload: z.object({
      uri: z.string().check(z.regex(INVITEE_URI, 'must be an api.calendly.com invitee URI')),
      email: z.string(),
      status: z.literal(status),
      rescheduled: z.optional(z.nullable(z.boolean())),
      tracking,
      scheduled_event: z.object({ start_time: isoTime }),
      cancellation,
    }),
  })
}

const inviteeCreated = inviteeEvent('invitee.created', 'active', z.optional(z.unknown()))
const inviteeCanceled = inviteeEvent(
  'invitee.canceled',
  'canceled',
  z.object({ canceler_type: z.optional(z.nullable(z.string())) }),
)
const noShow = z.object({
  event: z.enum(['invitee_no_show.created', 'invitee_no_show.deleted']),
  created_at: isoTime,
  payload: z.record(z.string(), z.unknown()),
})
const envelope = z.object({
  event: z.enum(CALENDLY_EVENTS),
  created_at: isoTime,
  payload: z.record(z.string(), z.unknown()),
})

export type InviteeCreated = z.infer<typeof inviteeCreated>
export type InviteeCanceled = z.infer<typeof inviteeCanceled>
export type CalendlyDelivery = InviteeCreated | InviteeCanceled | z.infer<typeof noShow>

export type ParsedDelivery =
  | { ok: true; delivery: CalendlyDelivery }
  | { ok: false; field: string; reason: string }

/** The old v1 shape's marks (vendors.md §5.2): refused rather than read half-right. */
const V1_PAYLOAD_KEYS = ['event_type', 'invitee'] as const

/** A verified body, parsed per vendors.md §5.4 rules 5–7; a refusal names the field. Never throws. */
export function parseCalendlyDelivery(rawBody: Uint8Array): ParsedDelivery {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody))
  } catch {
    return { ok: false, field: 'body', reason: 'is not valid UTF-8 JSON' }
  }
  const outer = envelope.safeParse(json)
  if (!outer.success) return refusal(outer.error)
  // A v2 no-show names its invitee by URI (`payload.invitee`, a string): only invitee events are checked.
  const invitee = outer.data.event === 'invitee.created' || outer.data.event === 'invitee.canceled'
  const v1Key = invitee ? V1_PAYLOAD_KEYS.find((key) => Object.hasOwn(outer.data.payload, key)) : undefined
  if (
    v1Key !== undefined ||
    (invitee && typeof json === 'object' && json !== null && Object.hasOwn(json, 'time'))
  )
    return {
      ok: false,
      field: v1Key === undefined ? 'time' : `payload.${v1Key}`,
      reason: 'belongs to the v1 webhook shape, which is not accepted: subscribe with webhooks v2',
    }
  const schema =
    outer.data.event === 'invitee.created'
      ? inviteeCreated
      : outer.data.event === 'invitee.canceled'
        ? inviteeCanceled
        : noShow
  const parsed = schema.safeParse(json)
  return parsed.success ? { ok: true, delivery: parsed.data } : refusal(parsed.error)
}

function refusal(error: z.core.$ZodError): ParsedDelivery {
  const [issue] = error.issues
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body'
  return { ok: false, field, reason: issue?.message ?? 'is not a Calendly v2 webhook body' }
}
