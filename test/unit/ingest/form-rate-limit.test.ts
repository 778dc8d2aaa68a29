import { describe, expect, it } from 'vitest'
import { inMemoryFormRateLimiter } from '#shared/ingest/form-rate-limit.ts'

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms)

describe('form rate limiter', () => {
  it('lets a visitor submit the limit within the window, then refuses until the window has passed', () => {
    const limiter = inMemoryFormRateLimiter(2, 60_000)
    expect([limiter.take('v', at(0)), limiter.take('v', at(1)), limiter.take('v', at(2))]).toEqual([
      true,
      true,
      false,
    ])
    expect(limiter.take('other', at(3))).toBe(true)
    expect(limiter.take('v', at(60_000))).toBe(true)
  })

  it('remembers at most maxKeys visitors, forgetting the oldest', () => {
    const limiter = inMemoryFormRateLimiter(1, 60_000, 2)
    limiter.take('a', at(0))
    limiter.take('b', at(1))
    limiter.take('c', at(2))
    expect(limiter.take('b', at(3))).toBe(false)
    expect(limiter.take('a', at(4))).toBe(true)
  })
})
