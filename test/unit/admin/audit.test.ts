import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { auditMonthPartitions } from '#shared/adapters/dynamodb-audit-log.ts'
import { auditQuery, storedAudit } from '#shared/admin/audit.ts'

const NOW = new Date('2026-12-03T15:00:00.000Z')

describe('auditQuery', () => {
  it('defaults to the last 30 days and 500 entries', () => {
    expect(auditQuery({}, NOW)).toEqual({ from: new Date('2026-11-03T15:00:00.000Z'), to: NOW, limit: 500 })
  })

  it('names the field at fault: a bad date, a backwards or too long range, a bad limit', () => {
    const field = (input: Parameters<typeof auditQuery>[0]) => {
      try {
        auditQuery(input, NOW)
        return undefined
      } catch (error) {
        return error instanceof Error && 'field' in error ? error.field : 'no field'
      }
    }
    expect(field({ from: 'last tuesday' })).toBe('from')
    expect(field({ to: '2026-13-01' })).toBe('to')
    expect(field({ from: '2026-12-02', to: '2026-12-01' })).toBe('from')
    expect(field({ from: '2025-01-01', to: '2026-12-01' })).toBe('from')
    expect(field({ limit: '0' })).toBe('limit')
    expect(field({ limit: '1001' })).toBe('limit')
    expect(field({ limit: '1e3' })).toBe('limit')
    expect(field({ from: '2026-01-01', to: '2026-02-04T00:00:00Z', limit: '1000' })).toBeUndefined()
  })
})

describe('audit entries in the table', () => {
  it('expire auditDays after they were written', () => {
    const entry = {
      id: 'x',
      at: '2026-01-01T00:00:00.000Z',
      principal: 'p',
      action: 'vendor.enable' as const,
      target: 'ga4',
      diff: [],
    }
    expect(storedAudit(entry, 2).expiresAt).toBe(Date.parse('2026-01-03T00:00:00.000Z') / 1000)
  })

  it('are read from every month partition of the range, newest first', () => {
    expect(auditMonthPartitions(new Date('2025-11-30T23:59:59Z'), new Date('2026-01-01T00:00:00Z'))).toEqual([
      'audit#2026-01',
      'audit#2025-12',
      'audit#2025-11',
    ])
    const instant = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a]
        const partitions = auditMonthPartitions(from, to)
        const months =
          (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth() + 1
        return (
          partitions.length === months &&
          partitions[0] === `audit#${to.toISOString().slice(0, 7)}` &&
          partitions.at(-1) === `audit#${from.toISOString().slice(0, 7)}` &&
          partitions.every((partition, index) => index === 0 || partition < (partitions[index - 1] ?? ''))
        )
      }),
    )
  })
})
