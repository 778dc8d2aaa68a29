import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { ValidationError } from '#shared/http/errors.ts'
import type { AuditEntry } from './api.ts'
import type { StoredAuditEntry } from './store.ts'

const DAY_MS = 24 * 60 * 60 * 1000
export const DEFAULT_AUDIT_WINDOW_DAYS = 30
/** The longest range one listing may span (each month in it is one query). */
export const MAX_AUDIT_RANGE_DAYS = 400
export const DEFAULT_AUDIT_LIMIT = 500
export const MAX_AUDIT_LIMIT = 1000

/** The entry with the time the table may drop it: `auditDays` after it was written. */
export function storedAudit(entry: AuditEntry, auditDays: number): StoredAuditEntry {
  return { entry, expiresAt: Math.floor((Date.parse(entry.at) + auditDays * DAY_MS) / 1000) }
}

export interface AuditQueryInput {
  from?: string | undefined
  to?: string | undefined
  limit?: string | undefined
}

const isoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()])

function instant(field: string, text: string): Date {
  const ms = isoInstant.safeParse(text).success ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) throw new ValidationError(field, 'must be an ISO 8601 date or date-time')
  return new Date(ms)
}

/** `?from=&to=&limit=` with their defaults (the last 30 days, 500), checked: from ≤ to, ≤ 400 days. */
export function auditQuery(input: AuditQueryInput, now: Date): { from: Date; to: Date; limit: number } {
  const to = input.to ? instant('to', input.to) : now
  const from = input.from
    ? instant('from', input.from)
    : new Date(to.getTime() - DEFAULT_AUDIT_WINDOW_DAYS * DAY_MS)
  if (from.getTime() > to.getTime()) throw new ValidationError('from', 'must not be after to')
  if (to.getTime() - from.getTime() > MAX_AUDIT_RANGE_DAYS * DAY_MS)
    throw new ValidationError('from', `the range may span at most ${MAX_AUDIT_RANGE_DAYS} days`)
  let limit = DEFAULT_AUDIT_LIMIT
  if (input.limit !== undefined) {
    limit = Number(input.limit)
    if (!/^\d{1,4}$/.test(input.limit) || limit < 1 || limit > MAX_AUDIT_LIMIT)
      throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
  }
  return { from, to, limit }
}
