import { createHmac } from 'node:crypto'

/** The personal data a real delivery carries; tests look for each of these where it must not be. */
export const INVITEE_PII = {
  email: 'ada.lovelace@example.org',
  name: 'Ada Lovelace',
  firstName: 'Ada',
  lastName: 'Lovelace',
  answer: 'I would like to talk about my knee surgery',
  phone: '+44 7700 900123',
  location: 'Flat 2, 10 Downing Street',
  inviteeId: 'INV-7f3a9c21',
} as const

export const INVITEE_URI = `https://api.calendly.com/scheduled_events/EV-4411/invitees/${INVITEE_PII.inviteeId}`

/** A fresh invitee id, so that deliveries of different tests are not one another's duplicates. */
export const freshInviteeId = () => `INV-${Math.random().toString(36).slice(2)}`

/** A v2 delivery as vendors.md §5.2 shows it, every personal field filled in. */
export function calendlyBody(
  event: 'invitee.created' | 'invitee.canceled',
  options: { utmContent?: string | null; createdAt?: string; rescheduled?: boolean; inviteeId?: string } = {},
) {
  const canceled = event === 'invitee.canceled'
  const inviteeId = options.inviteeId ?? INVITEE_PII.inviteeId
  const createdAt = options.createdAt ?? '2026-12-03T10:15:00.000000Z'
  return {
    created_at: createdAt,
    created_by: 'https://api.calendly.com/users/USR-1',
    event,
    payload: {
      uri: `https://api.calendly.com/scheduled_events/EV-4411/invitees/${inviteeId}`,
      email: INVITEE_PII.email,
      name: INVITEE_PII.name,
      first_name: INVITEE_PII.firstName,
      last_name: INVITEE_PII.lastName,
      status: canceled ? 'canceled' : 'active',
      timezone: 'Europe/London',
      event: 'https://api.calendly.com/scheduled_events/EV-4411',
      created_at: createdAt,
      updated_at: createdAt,
      cancel_url: `https://calendly.com/cancellations/${inviteeId}`,
      reschedule_url: `https://calendly.com/reschedulings/${inviteeId}`,
      rescheduled: options.rescheduled ?? false,
      old_invitee: null,
      new_invitee: null,
      questions_and_answers: [{ question: 'What about?', answer: INVITEE_PII.answer, position: 0 }],
      text_reminder_number: INVITEE_PII.phone,
      payment: null,
      no_show: null,
      reconfirmation: null,
      routing_form_submission: null,
      scheduling_method: null,
      invitee_scheduled_by: null,
      tracking: {
        utm_campaign: null,
        utm_source: 'site',
        utm_medium: null,
        utm_content: options.utmContent ?? null,
        utm_term: null,
        salesforce_uuid: null,
      },
      scheduled_event: {
        uri: 'https://api.calendly.com/scheduled_events/EV-4411',
        name: 'Consultation',
        status: canceled ? 'canceled' : 'active',
        start_time: '2026-12-09T14:30:00.000000Z',
        end_time: '2026-12-09T15:00:00.000000Z',
        event_type: 'https://api.calendly.com/event_types/ET-9',
        location: { type: 'physical', location: INVITEE_PII.location },
        invitees_counter: { total: 1, active: 1, limit: 1 },
        event_memberships: [{ user: 'https://api.calendly.com/users/USR-1' }],
        event_guests: [],
        created_at: createdAt,
        updated_at: createdAt,
      },
      ...(canceled
        ? {
            cancellation: {
              canceled_by: INVITEE_PII.name,
              reason: INVITEE_PII.answer,
              canceler_type: 'invitee',
              created_at: createdAt,
            },
          }
        : {}),
    },
  }
}

/** `t=…,v1=…` as Calendly sends it (vendors.md §5.3), for a body at a time. */
export function calendlySignatureHeader(key: string, body: string | Buffer, unixSeconds: number): string {
  const t = String(unixSeconds)
  const v1 = createHmac('sha256', key).update(`${t}.`).update(body).digest('hex')
  return `t=${t},v1=${v1}`
}
