import type { Purpose } from '#shared/consent/model.ts'
import type { ConsentHistoryEntry, ConsentReceipt } from '#shared/consent/service.ts'

/**
 * Visitors' rights (privacy §8, issue 10): the HTTP contract of the `/v1/privacy/*` routes, served by
 * the consent function beside `/v1/consent`. Every route takes the visitor id in the JSON body (never
 * in the path or query, which access logs keep) and needs, from a browser, the visitor token cookie
 * for that id, or the site's server key (`Authorization: Bearer <serverKey>`, never from a browser
 * origin). Without either the answer is the one an unknown id gets: 404 `{error}`.
 */
export const PRIVACY_ROUTES = {
  export: '/v1/privacy/export',
  restrict: '/v1/privacy/restrict',
  object: '/v1/privacy/object',
  traits: '/v1/privacy/traits',
  /** `POST` → 202 ErasureStatus (the visitor's cookies cleared); `POST /v1/privacy/erase/status` `{anonymousId, erasureId}` reads it. */
  erase: '/v1/privacy/erase',
  eraseStatus: '/v1/privacy/erase/status',
} as const

/** The visitor token's cookie (HttpOnly, Secure, SameSite=Lax, Path=/v1/, the consent lifetime). */
export const VISITOR_TOKEN_COOKIE = 'tw_vt'

/** `POST /v1/privacy/restrict` (GDPR Art. 18): `restricted: true` keeps everything, forwards nothing. */
export interface RestrictBody {
  anonymousId: string
  restricted: boolean
  writeKey?: string
}

/**
 * `POST /v1/privacy/object` (Art. 21): per purpose, `true` objects (stops forwarding to vendors on
 * legitimate interest for it), `false` withdraws the objection. Distinct from a refused consent.
 */
export interface ObjectBody {
  anonymousId: string
  purposes: Partial<Record<Purpose, boolean>>
  writeKey?: string
}

/** `PUT /v1/privacy/traits` (Art. 16): replaces the kept identity traits (hashed at once, as identify's). */
export interface RectifyBody {
  anonymousId: string
  traits: Record<string, unknown>
  writeKey?: string
}

/** Restriction and objections as stored per visitor (consent table, sk = `rights`). */
export interface RightsState {
  restricted: boolean
  objections: Partial<Record<Purpose, true>>
  /** ISO 8601; absent when nothing was ever set. */
  updatedAt?: string
}

/** What each vendor was sent for the visitor, written by the deliverers (consent table, sk = `ledger#…`). */
export interface LedgerEntry {
  messageId: string
  vendor: string
  /** The event's name or type as sent (`page_view`, `Signed Up`); never a property value. */
  event: string
  /** ISO 8601 */
  at: string
  outcome: 'delivered' | 'withheld' | 'dead-lettered'
}

/** `POST /v1/privacy/export` (Art. 15, 20): everything stored about the visitor, machine-readable. */
export interface ExportDocument {
  /** ISO 8601 */
  generatedAt: string
  anonymousId: string
  consent: { current: ConsentReceipt | null; history: ConsentHistoryEntry[] }
  /** The kept identity traits: kinds and their SHA-256 hashes (never clear text; none is kept). */
  traits: Record<string, string> | null
  rights: RightsState
  deliveries: LedgerEntry[]
  /** The session kept for clients that bring their own ids (issue 11), when there is one. */
  session?: { id: string; number: number; startedAt: string; lastActivityAt: string }
}
