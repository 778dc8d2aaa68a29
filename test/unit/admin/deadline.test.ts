import { describe, expect, it } from 'vitest'
import { oneMonthAfter } from '#shared/admin/deadline.ts'

const deadlineOf = (iso: string) => oneMonthAfter(new Date(iso)).toISOString()

describe('the one-month deadline of a rights request (GDPR Art. 12(3))', () => {
  it('falls on the same day and time next month', () => {
    expect(deadlineOf('2026-12-03T17:20:00.000Z')).toBe('2027-01-03T17:20:00.000Z')
    expect(deadlineOf('2026-03-15T00:00:00.000Z')).toBe('2026-04-15T00:00:00.000Z')
  })

  it('falls on the last day of a shorter next month', () => {
    expect(deadlineOf('2027-01-31T09:00:00.000Z')).toBe('2027-02-28T09:00:00.000Z')
    expect(deadlineOf('2028-01-30T09:00:00.000Z')).toBe('2028-02-29T09:00:00.000Z')
    expect(deadlineOf('2026-08-31T23:59:59.000Z')).toBe('2026-09-30T23:59:59.000Z')
  })
})
