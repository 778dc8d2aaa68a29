import type { PolicyVersion } from '#shared/policy/versions.ts'
import type { AuditEntry } from './api.ts'

/** A vendor's settings item as the admin reads it; `revision` 0 for an item no admin has written. */
export interface StoredVendorSettings {
  vendorId: string
  /** The settings JSON as stored, not yet validated. */
  settings: unknown
  revision: number
  updatedAt?: string
  updatedBy?: string
}

/** An audit entry with the time the table may drop it (epoch seconds, the table's TTL attribute). */
export interface StoredAuditEntry {
  entry: AuditEntry
  expiresAt: number
}

export interface VendorSettingsChange {
  vendorId: string
  settings: Record<string, unknown>
  /** The revision the change was made from; the write is refused if the stored one differs. */
  expectedRevision: number
  at: string
  principal: string
}

/** Half of a change was refused by its condition, so nothing of it was written. */
export class ConcurrentChangeError extends Error {
  override name = 'ConcurrentChangeError'
  constructor(
    /** Which write's condition failed: the change itself, or the audit entry. */
    readonly failed: 'change' | 'audit',
    options?: ErrorOptions,
  ) {
    super(`the ${failed} was refused by its condition`, options)
  }
}

/**
 * Where the admin API keeps vendor settings, policy versions and the audit trail. A change and its
 * audit entry are written together or not at all (ConcurrentChangeError).
 */
export interface AdminStore {
  vendorSettings(): Promise<StoredVendorSettings[]>
  vendorSettingsOf(vendorId: string): Promise<StoredVendorSettings | null>
  /** Writes the settings with revision `expectedRevision + 1`, and the audit entry, atomically. */
  changeVendorSettings(change: VendorSettingsChange, audit: StoredAuditEntry): Promise<{ revision: number }>
  /** Writes the version unless it exists, and the audit entry, atomically. */
  publishPolicyVersion(version: PolicyVersion, audit: StoredAuditEntry): Promise<void>
  policyVersions(): Promise<PolicyVersion[]>
  /** An audit entry for an action that is not itself a table change (a redrive). */
  appendAudit(audit: StoredAuditEntry): Promise<void>
  /** Entries with `from ≤ at ≤ to`, newest first, at most `limit`. */
  auditEntries(query: { from: Date; to: Date; limit: number }): Promise<AuditEntry[]>
}
