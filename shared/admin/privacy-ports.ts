import type { ErasureOptions } from '#shared/rights/erasure.ts'
import type { ErasureStatus, Visitor, VisitorRights } from '#shared/rights/ports.ts'
import type { PrivacyRequest } from './api.ts'

/** The visitor rights an admin runs; erase also takes the e-mail HubSpot erases by. */
export interface AdminVisitorRights extends Pick<VisitorRights, 'export' | 'restrict'> {
  erase(visitor: Visitor, options?: ErasureOptions): Promise<ErasureStatus>
}

/** A tracked request with the time the table may drop it (epoch seconds, the table's TTL attribute). */
export interface StoredPrivacyRequest {
  request: PrivacyRequest
  expiresAt: number
}

/** Where admin-run rights requests are tracked (config table, pk `privacy-requests`). */
export interface PrivacyRequestStore {
  record(request: StoredPrivacyRequest): Promise<void>
  /** Newest first, at most `limit`. */
  list(limit: number): Promise<PrivacyRequest[]>
}

/** What the admin's privacy routes need; absent, they answer 501. */
export interface AdminPrivacy {
  rights: AdminVisitorRights
  /** An erasure's status by its id alone (the visitor id is not kept with the request). */
  erasureStatus(erasureId: string): Promise<ErasureStatus | null>
  /** The visitor's consent key (keyed hash): what the request and its audit entry name them by. */
  consentKey(visitor: Visitor): string
  requests: PrivacyRequestStore
  /** The deployment's site ids: a request for any other is refused (400 `siteId`). */
  siteIds: ReadonlyArray<string>
}
