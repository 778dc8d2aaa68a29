import type { AuditEntry } from '#shared/admin/api.ts'
import type { StoredAuditEntry } from '#shared/admin/store.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/**
 * Audit entries in the config table: pk `audit#<YYYY-MM>` (the UTC month of `at`), sk `<at>#<id>`, the
 * entry's fields, and `expiresAt` (epoch seconds, the table's TTL attribute). One partition per month
 * keeps any month's listing a single sorted query; a range is read month by month, newest first.
 */
export const AUDIT_PARTITION_PREFIX = 'audit#'

const auditItemSchema = z.object({
  id: z.string(),
  at: z.string(),
  principal: z.string(),
  action: z.enum([
    'vendor.update',
    'vendor.enable',
    'vendor.disable',
    'vendor.redrive',
    'policy.publish',
    'privacy.export',
    'privacy.erase',
    'privacy.restrict',
    'privacy.unrestrict',
  ]),
  target: z.string(),
  diff: z.array(
    z.object({ path: z.string(), before: z.optional(z.unknown()), after: z.optional(z.unknown()) }),
  ),
  reason: z.optional(z.string()),
})

const monthOf = (at: Date) => at.toISOString().slice(0, 7)

export function auditItem({ entry, expiresAt }: StoredAuditEntry): Record<string, unknown> {
  return {
    pk: `${AUDIT_PARTITION_PREFIX}${monthOf(new Date(entry.at))}`,
    sk: `${entry.at}#${entry.id}`,
    ...entry,
    expiresAt,
  }
}

export function parseAuditItem(item: unknown): AuditEntry {
  const { reason, diff, ...entry } = auditItemSchema.parse(item)
  return {
    ...entry,
    diff: diff.map(({ path, before, after }) => ({
      path,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    })),
    ...(reason !== undefined ? { reason } : {}),
  }
}

/** The month partitions from `to`'s month back to `from`'s, newest first. */
export function auditMonthPartitions(from: Date, to: Date): string[] {
  const partitions: string[] = []
  const month = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1))
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1)
  while (month.getTime() >= first) {
    partitions.push(`${AUDIT_PARTITION_PREFIX}${monthOf(month)}`)
    month.setUTCMonth(month.getUTCMonth() - 1)
  }
  return partitions
}

/** Sort keys of entries with `from ≤ at ≤ to` (an entry at exactly `to` has `#<id>` after the time). */
export function auditSortKeyRange(from: Date, to: Date): { from: string; to: string } {
  return { from: from.toISOString(), to: `${to.toISOString()}#\uffff` }
}
