import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from '#shared/vendors/retry-after.ts'

const NOW = new Date('2026-03-01T12:00:00.000Z')

describe('parseRetryAfter', () => {
  it('reads delay-seconds, bounded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * MAX_RETRY_AFTER_SECONDS }), (seconds) => {
        expect(parseRetryAfter(String(seconds), NOW)).toBe(Math.min(seconds, MAX_RETRY_AFTER_SECONDS))
      }),
    )
  })

  it('reads an HTTP date as the seconds until then, never negative, bounded', () => {
    fc.assert(
      fc.property(fc.integer({ min: -86_400, max: 86_400 }), (offsetSeconds) => {
        const at = new Date(NOW.getTime() + offsetSeconds * 1000).toUTCString()
        expect(parseRetryAfter(at, NOW)).toBe(Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, offsetSeconds)))
      }),
    )
  })

  it('gives a bounded number or nothing for any text, and never throws', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 200 }), { nil: undefined }), (header) => {
        const seconds = parseRetryAfter(header, NOW)
        if (seconds === undefined) return
        expect(Number.isInteger(seconds)).toBe(true)
        expect(seconds).toBeGreaterThanOrEqual(0)
        expect(seconds).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS)
      }),
    )
  })

  it.each(['', '  ', '-5', '1.5', 'soon', '12abc', '99999999999'])('ignores %j', (header) => {
    expect(parseRetryAfter(header, NOW)).toBeUndefined()
  })
})
