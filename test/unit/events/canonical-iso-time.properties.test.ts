import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { regexes } from 'zod/v4/core'
import { isCanonicalIsoTime } from '#shared/events/fast-event.ts'

const ISO_DATE_TIME = regexes.datetime({ offset: true })
const canonicalShape = fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
const realInstant = fc
  .date({ min: new Date(-1e13), max: new Date(4e12), noInvalidDate: true })
  .map((date) => date.toISOString())

describe('isCanonicalIsoTime (the fast path keeps such timestamps as sent)', () => {
  it('holds exactly for text the schema accepts and toISOString gives back unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(realInstant, canonicalShape, fc.string({ maxLength: 30 })), (text) => {
        const time = Date.parse(text)
        const roundTrips = !Number.isNaN(time) && new Date(time).toISOString() === text
        expect(isCanonicalIsoTime(text)).toBe(roundTrips && ISO_DATE_TIME.test(text))
      }),
      { numRuns: 5_000 },
    )
  })
})
