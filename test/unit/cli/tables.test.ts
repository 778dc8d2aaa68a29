import { describe, expect, it } from 'vitest'
import type { AuditEntryRow, VendorRow } from '../../../cli/answers.ts'
import { renderTable } from '../../../cli/table.ts'
import { auditTable, diffSummary, privacyTable, vendorsTable } from '../../../cli/views.ts'

const GA4: VendorRow = {
  id: 'ga4',
  label: 'Google Analytics 4',
  enabled: true,
  legalBasis: 'consent',
  transfer: { country: 'US', safeguard: 'dpf' },
  settings: { measurementId: 'G-1' },
  revision: 2,
  status: {
    queue: { depth: 12, inFlight: 0, oldestAgeSeconds: 600 },
    deadLetters: { count: 3 },
    lastDelivery: { at: '2026-12-03T09:00:00.000Z', outcome: 'withheld', detail: 'switched off by admin' },
  },
}
const LINKEDIN: VendorRow = {
  ...GA4,
  id: 'linkedin',
  enabled: false,
  transfer: { country: 'US', safeguard: 'none' },
  status: {
    queue: { depth: null, oldestAgeSeconds: null },
    deadLetters: { count: null },
    lastDelivery: null,
  },
}

describe('tables', () => {
  it('aligns columns to the widest cell, with no trailing blanks', () => {
    expect(
      renderTable(
        ['A', 'LONG HEADER'],
        [
          ['wide cell', 'x'],
          ['b', ''],
        ],
      ),
    ).toBe(['A          LONG HEADER', 'wide cell  x', 'b'].join('\n'))
  })

  it('shows each vendor switch, basis, transfer and status, a dash for what is unknown', () => {
    const lines = vendorsTable([GA4, LINKEDIN]).split('\n')
    expect(lines[0]).toMatch(/^ID\s+ENABLED\s+LEGAL BASIS\s+TRANSFER\s+QUEUE\s+OLDEST\s+DLQ\s+LAST DELIVERY$/)
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      'ga4',
      'yes',
      'consent',
      'US/dpf',
      '12',
      '10m',
      '3',
      '2026-12-03T09:00:00.000Z withheld (switched off by admin)',
    ])
    expect(lines[2]?.split(/\s{2,}/)).toEqual(['linkedin', 'no', 'consent', 'US/none', '-', '-', '-', '-'])
    // Every column starts at the same offset on every line.
    const dlq = lines[0]?.indexOf('DLQ')
    expect(lines[1]?.indexOf('3 ')).toBe(dlq)
  })

  it('summarises an audit entry diff leaf by leaf', () => {
    expect(
      diffSummary([
        { path: '/enabled', before: true, after: false },
        { path: '/settings/pixelId', after: '123' },
      ]),
    ).toBe('/enabled: true → false; /settings/pixelId: (none) → "123"')
    const entry: AuditEntryRow = {
      id: 'a1',
      at: '2026-12-03T10:00:00.000Z',
      principal: 'arn:aws:iam::1:user/ada',
      action: 'vendor.disable',
      target: 'ga4',
      diff: [{ path: '/enabled', before: true, after: false }],
      reason: 'incident 42',
    }
    const [header, row] = auditTable([entry]).split('\n')
    expect(header).toMatch(/^AT\s+PRINCIPAL\s+ACTION\s+TARGET\s+DIFF\s+REASON$/)
    expect(row?.split(/\s{2,}/)).toEqual([
      '2026-12-03T10:00:00.000Z',
      'arn:aws:iam::1:user/ada',
      'vendor.disable',
      'ga4',
      '/enabled: true → false',
      'incident 42',
    ])
  })

  it('shows why a failed privacy request failed beside its state', () => {
    const request = {
      id: 'r1',
      kind: 'erase',
      siteId: 'shop',
      requestedAt: '2026-12-03T12:00:00.000Z',
      deadline: '2027-01-03T12:00:00.000Z',
      state: 'failed',
      failure: 'hubspot: hubspot answered 401',
    }
    const [, row, pending] = privacyTable([
      request,
      { ...request, state: 'pending', failure: undefined },
    ]).split('\n')
    expect(row?.split(/\s{2,}/)).toEqual([
      request.requestedAt,
      'erase',
      'shop',
      'failed (hubspot: hubspot answered 401)',
      request.deadline,
    ])
    expect(pending?.split(/\s{2,}/)[3]).toBe('pending')
  })
})
