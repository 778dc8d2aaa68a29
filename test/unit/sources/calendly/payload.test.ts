import { describe, expect, it } from 'vitest'
import { parseCalendlyDelivery } from '#shared/sources/calendly/payload.ts'
import { bookingEvent, idempotencyKeyOf, messageIdOf } from '#shared/sources/calendly/to-event.ts'
import { APPOINTMENT_BOOKED, APPOINTMENT_CANCELED } from '#shared/tag/api.ts'
import { calendlyBody, INVITEE_PII, INVITEE_URI } from '../../../support/calendly.ts'

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))

function parsedInvitee(body: unknown) {
  const parsed = parseCalendlyDelivery(bytes(body))
  if (!parsed.ok) throw new Error(`refused: ${parsed.field} ${parsed.reason}`)
  const { delivery } = parsed
  if (delivery.event !== 'invitee.created' && delivery.event !== 'invitee.canceled')
    throw new Error('no invitee')
  return delivery
}

describe('Calendly v2 body (vendors.md §5.4 rules 5–7)', () => {
  it('accepts invitee.created and invitee.canceled as captured', () => {
    expect(parsedInvitee(calendlyBody('invitee.created')).event).toBe('invitee.created')
    expect(parsedInvitee(calendlyBody('invitee.canceled')).event).toBe('invitee.canceled')
  })

  it('accepts no-show events', () => {
    const body = { event: 'invitee_no_show.created', created_at: '2026-12-03T10:15:00Z', payload: {} }
    expect(parseCalendlyDelivery(bytes(body))).toMatchObject({ ok: true })
  })

  it('refuses the v1 shape, naming the v1 field', () => {
    const v1 = {
      event: 'invitee.created',
      time: '2020-01-01 10:00:00',
      created_at: '2020-01-01T10:00:00Z',
      payload: { event_type: { uuid: 'X' }, invitee: { email: INVITEE_PII.email } },
    }
    expect(parseCalendlyDelivery(bytes(v1))).toMatchObject({ ok: false, field: 'payload.event_type' })
    const { event_type: _dropped, ...onlyInvitee } = v1.payload
    expect(parseCalendlyDelivery(bytes({ ...v1, payload: onlyInvitee }))).toMatchObject({
      ok: false,
      field: 'payload.invitee',
    })
  })

  it.each([
    ['not JSON', '{"event":', 'body'],
    [
      'an unknown event',
      { ...calendlyBody('invitee.created'), event: 'routing_form_submission.created' },
      'event',
    ],
    ['a foreign invitee URI', withPayload({ uri: 'https://evil.example/invitees/1' }), 'payload.uri'],
    ['created but canceled', withPayload({ status: 'canceled' }), 'payload.status'],
    [
      'a non-ISO start',
      withPayload({ scheduled_event: { start_time: 'tomorrow' } }),
      'payload.scheduled_event.start_time',
    ],
    [
      'an unknown tracking key',
      withPayload({ tracking: { utm_content: null, gclid: 'x' } }),
      'payload.tracking',
    ],
    [
      'a tracking value of a number',
      withPayload({ tracking: { utm_content: 7 } }),
      'payload.tracking.utm_content',
    ],
    ['no email', withPayload({ email: undefined }), 'payload.email'],
  ])('refuses %s, naming the field', (_name, body, field) => {
    expect(parseCalendlyDelivery(bytes(body))).toMatchObject({ ok: false, field })
  })

  it('refuses invitee.canceled without a cancellation object', () => {
    const body = calendlyBody('invitee.canceled')
    const { cancellation: _gone, ...payload } = body.payload
    expect(parseCalendlyDelivery(bytes({ ...body, payload }))).toMatchObject({
      ok: false,
      field: 'payload.cancellation',
    })
  })
})

describe('the event a booking becomes', () => {
  it('names the appointment and keeps only non-identifying facts', () => {
    const booked = bookingEvent(parsedInvitee(calendlyBody('invitee.created')), 'id-1', 'visitor-1')
    expect(booked).toMatchObject({ type: 'track', event: APPOINTMENT_BOOKED, anonymousId: 'visitor-1' })
    expect(booked.properties).toEqual({
      source: 'calendly',
      start_hour_utc: 14,
      start_weekday_utc: 'wednesday',
      days_before_start: 6,
      rescheduled: false,
    })
    const canceled = bookingEvent(
      parsedInvitee(calendlyBody('invitee.canceled', { rescheduled: true })),
      'id-2',
      'v',
    )
    expect(canceled).toMatchObject({ event: APPOINTMENT_CANCELED })
    expect(canceled.properties).toMatchObject({ rescheduled: true, canceler_type: 'invitee' })
  })

  it('carries no personal data of the invitee, nor their URIs', () => {
    for (const kind of ['invitee.created', 'invitee.canceled'] as const) {
      const event = bookingEvent(parsedInvitee(calendlyBody(kind, { utmContent: 'r1.abc' })), 'id', 'visitor')
      const text = JSON.stringify(event)
      for (const value of [
        ...Object.values(INVITEE_PII),
        'calendly.com/cancellations',
        'reschedulings',
        'r1.abc',
      ])
        expect(text).not.toContain(value)
    }
  })

  it('derives one UUID-shaped messageId per event and invitee, revealing neither', () => {
    const created = parsedInvitee(calendlyBody('invitee.created'))
    const canceled = parsedInvitee(calendlyBody('invitee.canceled'))
    expect(idempotencyKeyOf(created)).toBe(`invitee.created:${INVITEE_URI}`)
    expect(messageIdOf('site', created)).toBe(
      messageIdOf('site', parsedInvitee(calendlyBody('invitee.created'))),
    )
    expect(messageIdOf('site', created)).not.toBe(messageIdOf('site', canceled))
    expect(messageIdOf('site', created)).not.toBe(messageIdOf('other-site', created))
    expect(messageIdOf('site', created)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    )
  })
})

function withPayload(changes: Record<string, unknown>) {
  const body = calendlyBody('invitee.created')
  const scheduled = changes.scheduled_event
  const tracking = changes.tracking
  return {
    ...body,
    payload: {
      ...body.payload,
      ...changes,
      ...(scheduled ? { scheduled_event: { ...body.payload.scheduled_event, ...scheduled } } : {}),
      ...(tracking ? { tracking } : {}),
    },
  }
}
