import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { metaVendor } from '#shared/vendors/meta/index.ts'
import { META_EVENT_AGE_SAFETY_SECONDS } from '#shared/vendors/meta/limits.ts'
import { metaRequestViolations } from '../../support/meta-validator.ts'
import { collectedEvent, IDENTITY, mapContext, NOW, requestFor } from './fixtures.ts'

const DAY_MS = 86_400_000
const unsendable = (payload: Parameters<NonNullable<typeof metaVendor.unsendable>>[0], now: Date) =>
  metaVendor.unsendable?.(payload, now) ?? null

function payloadAged(ageMs: number) {
  const event = collectedEvent({ timestamp: new Date(NOW.getTime() - ageMs).toISOString() })
  const payload = metaVendor.toPayload(event, IDENTITY, mapContext())
  if (payload === null) throw new Error('the fixture event must map')
  return payload
}

describe('Meta 7-day rule', () => {
  it('sends fresh events and events a few days old', () => {
    expect(unsendable(payloadAged(0), NOW)).toBeNull()
    expect(unsendable(payloadAged(6 * DAY_MS), NOW)).toBeNull()
  })

  it('parks an event older than 7 days, or within the safety margin of it, with a reason', () => {
    expect(unsendable(payloadAged(8 * DAY_MS), NOW)).toMatch(/older than 7 days/)
    expect(unsendable(payloadAged(7 * DAY_MS - 10 * 60 * 1000), NOW)).toMatch(/older than 7 days/)
  })

  it('judges the age at send time: an event that waited in the queue past the window is parked', () => {
    const payload = payloadAged(DAY_MS)
    expect(unsendable(payload, NOW)).toBeNull()
    expect(unsendable(payload, new Date(NOW.getTime() + 7 * DAY_MS))).not.toBeNull()
  })

  it('lets through only events Meta still accepts a safety margin later (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 * DAY_MS }), (ageMs) => {
        const payload = payloadAged(ageMs)
        if (unsendable(payload, NOW) !== null) return
        const later = new Date(NOW.getTime() + (META_EVENT_AGE_SAFETY_SECONDS - 1) * 1000)
        expect(metaRequestViolations(requestFor(payload), later)).toEqual([])
      }),
    )
  })
})
