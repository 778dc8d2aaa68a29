import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_REDELIVERY_DELAY_SECONDS } from '#shared/delivery/redelivery.ts'
import {
  RETRY_BASE_DELAY_SECONDS,
  RETRY_MAX_BACKOFF_SECONDS,
  retryDelaySeconds,
} from '#shared/delivery/retry-schedule.ts'

const receiveCount = fc.integer({ min: 1, max: 1_000 })
const retryAfter = fc.option(fc.double({ min: 0, max: 2 * MAX_REDELIVERY_DELAY_SECONDS, noNaN: true }), {
  nil: undefined,
})
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

describe('retryDelaySeconds', () => {
  it('is a whole number of seconds ChangeMessageVisibility accepts', () => {
    fc.assert(
      fc.property(receiveCount, retryAfter, random, (count, after, r) => {
        const delay = retryDelaySeconds(count, after, r)
        expect(Number.isInteger(delay)).toBe(true)
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThanOrEqual(MAX_REDELIVERY_DELAY_SECONDS)
      }),
    )
  })

  it("never retries before the vendor's Retry-After (up to the longest delay SQS allows)", () => {
    fc.assert(
      fc.property(receiveCount, fc.double({ min: 0, max: 1e6, noNaN: true }), random, (count, after, r) => {
        expect(retryDelaySeconds(count, after, r)).toBeGreaterThanOrEqual(
          Math.min(after, MAX_REDELIVERY_DELAY_SECONDS),
        )
      }),
    )
  })

  it('without Retry-After stays within the backoff ceiling: base × 2^(count−1), capped', () => {
    fc.assert(
      fc.property(receiveCount, random, (count, r) => {
        const ceiling = Math.min(RETRY_MAX_BACKOFF_SECONDS, RETRY_BASE_DELAY_SECONDS * 2 ** (count - 1))
        expect(retryDelaySeconds(count, undefined, r)).toBeLessThanOrEqual(ceiling)
      }),
    )
  })

  it('grows with the receive count for the same jitter, up to the cap', () => {
    fc.assert(
      fc.property(receiveCount, receiveCount, random, (a, b, r) => {
        const [lower, higher] = a <= b ? [a, b] : [b, a]
        expect(retryDelaySeconds(higher, undefined, r)).toBeGreaterThanOrEqual(
          retryDelaySeconds(lower, undefined, r),
        )
      }),
    )
  })

  it('reaches the cap after enough receives when the jitter is high', () => {
    expect(retryDelaySeconds(1, undefined, 0.999)).toBe(RETRY_BASE_DELAY_SECONDS - 1)
    expect(retryDelaySeconds(50, undefined, 0.9999)).toBe(RETRY_MAX_BACKOFF_SECONDS - 1)
  })
})
