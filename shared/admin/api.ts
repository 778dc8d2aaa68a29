import type { Purpose } from '#shared/consent/model.ts'
import type { PolicyVersion } from '#shared/policy/versions.ts'
import type { ExportDocument, RightsState } from '#shared/rights/api.ts'
import type { ErasureStatus } from '#shared/rights/ports.ts'

/**
 * The admin API's HTTP contract: a separate HTTP API with IAM authorisation on every route (never the
 * public ingestion API). Plain data, so the CDK app declares exactly these routes, the local admin
 * server serves exactly these, and the CLI and the page call exactly these.
 *
 * Every answer is JSON. Errors are `{ "error": "…", "field"?: "…" }` with 400 (bad input, the field
 * named), 401 (no principal), 403, 404 (no such vendor or route), 409 (refused: a transfer safeguard
 * missing, a version already published, a concurrent change).
 */
export const ADMIN_ROUTES = [
  { method: 'GET', path: '/admin/vendors' },
  { method: 'GET', path: '/admin/vendors/{id}' },
  { method: 'PUT', path: '/admin/vendors/{id}' },
  { method: 'POST', path: '/admin/vendors/{id}/enable' },
  { method: 'POST', path: '/admin/vendors/{id}/disable' },
  { method: 'POST', path: '/admin/vendors/{id}/redrive' },
  { method: 'GET', path: '/admin/audit' },
  { method: 'GET', path: '/admin/policy-versions' },
  { method: 'POST', path: '/admin/policy-versions' },
  { method: 'GET', path: '/admin/privacy/requests' },
  { method: 'POST', path: '/admin/privacy/requests' },
] as const

export type AdminRoute = (typeof ADMIN_ROUTES)[number]
/** One key per route, as API Gateway's `routeKey` names it (`GET /admin/vendors/{id}`). */
export type AdminRouteKey = AdminRoute extends infer Route
  ? Route extends { method: infer Method extends string; path: infer Path extends string }
    ? `${Method} ${Path}`
    : never
  : never

/** The principal the local admin server (npm start) acts as when the local admin token is presented. */
export const LOCAL_ADMIN_PRINCIPAL = 'local:admin'

/** Where a vendor's recipient sits and what makes a transfer there lawful (privacy §10, GDPR Ch. V). */
export const TRANSFER_SAFEGUARDS = ['adequacy', 'dpf', 'scc', 'explicit-consent', 'none'] as const
export type TransferSafeguard = (typeof TRANSFER_SAFEGUARDS)[number]
export interface Transfer {
  /** ISO 3166-1 alpha-2 country of the recipient ("US", "IE"). */
  country: string
  safeguard: TransferSafeguard
}

/** What a vendor's pipeline looks like now. Any figure the source cannot tell is null. */
export interface VendorStatus {
  queue: { depth: number | null; inFlight: number | null; oldestAgeSeconds: number | null }
  deadLetters: { count: number | null }
  /** The deliverer's last batch: when, and what became of its messages. */
  lastDelivery: LastDelivery | null
}

export interface LastDelivery {
  /** ISO 8601 */
  at: string
  outcome: 'delivered' | 'withheld' | 'retry' | 'dead-lettered' | 'failed'
  /** The reason of a withheld, retried or dead-lettered batch (never a payload or a visitor value). */
  detail?: string
}

/** One vendor as the admin sees it: `GET /admin/vendors/{id}`, one element of `GET /admin/vendors`. */
export interface VendorView {
  id: string
  label: string
  enabled: boolean
  legalBasis: 'consent' | 'legitimate_interest'
  transfer: Transfer
  /** The whole settings object as stored (validated by the vendor's settings schema); null if none. */
  settings: Record<string, unknown> | null
  /** Increases with every change; send it back with a PUT to refuse a concurrent change (409). */
  revision: number
  status: VendorStatus
}

export interface VendorList {
  vendors: VendorView[]
  /** How long a change takes at most to reach collect and deliver (the settings cache window). */
  takesEffectWithinSeconds: number
}

/** `PUT /admin/vendors/{id}`: the whole new settings object (what `GET` returned, edited). */
export interface PutVendorBody {
  settings: Record<string, unknown>
  /** The revision the change was made from; a different stored revision → 409. */
  revision?: number
  reason?: string
}

/** `POST …/enable`, `…/disable`, `…/redrive`, and the optional body of every change. */
export interface ReasonBody {
  reason?: string
}

export interface VendorChangeAnswer {
  vendor: VendorView
  audit: AuditEntry
  takesEffectWithinSeconds: number
}

export interface RedriveAnswer {
  vendor: string
  /** Messages the move started with (the DLQ's approximate count), null if unknown. */
  moving: number | null
  audit: AuditEntry
}

export type AuditAction =
  | 'vendor.update'
  | 'vendor.enable'
  | 'vendor.disable'
  | 'vendor.redrive'
  | 'policy.publish'
  | 'privacy.export'
  | 'privacy.erase'
  | 'privacy.restrict'
  | 'privacy.unrestrict'

/** One change as the audit trail keeps it (never updated or deleted through the API). */
export interface AuditEntry {
  id: string
  /** ISO 8601 */
  at: string
  /** The IAM principal (user or role ARN), or LOCAL_ADMIN_PRINCIPAL. */
  principal: string
  action: AuditAction
  /** A vendor id, `policy:<version>`, or `site:<siteId>` (a visitor's rights request). */
  target: string
  /** Each changed leaf: JSON-pointer-like path (`/enabled`, `/transfer/safeguard`), before and after. */
  diff: Array<{ path: string; before?: unknown; after?: unknown }>
  reason?: string
}

/** `GET /admin/audit?from=ISO&to=ISO&limit=N`: newest first. Default the last 30 days, limit 500. */
export interface AuditAnswer {
  entries: AuditEntry[]
}

/** `GET /admin/policy-versions`: oldest first, and the one in force now (null before any takes effect). */
export interface PolicyVersionsAnswer {
  versions: PolicyVersion[]
  current: PolicyVersion | null
}

/** `POST /admin/policy-versions` answers 201 with the version as stored and its audit entry. */
export interface PublishPolicyAnswer {
  version: PolicyVersion
  audit: AuditEntry
}

/** `POST /admin/policy-versions`. */
export interface PublishPolicyBody {
  version: string
  /** ISO 8601; not before the latest published version's. */
  effectiveAt: string
  /** Which vendors, for which purposes, this version's text covers. */
  covers: Partial<Record<string, Purpose[]>>
  summary?: string
  reason?: string
}

/** What an admin may run for a visitor (issue 10): their export, erasure, restriction or its lifting. */
export const PRIVACY_REQUEST_KINDS = ['export', 'erase', 'restrict', 'unrestrict'] as const
export type PrivacyRequestKind = (typeof PRIVACY_REQUEST_KINDS)[number]

/**
 * `POST /admin/privacy/requests`: run a visitor's rights request now (one the visitor made by e-mail,
 * say). `email` only for `erase`: HubSpot erases by it; it is passed on and never stored.
 */
export interface PrivacyRequestBody {
  kind: PrivacyRequestKind
  siteId: string
  anonymousId: string
  email?: string
  reason?: string
}

/** A request as tracked (config table, pk `privacy-requests`): never the visitor id nor an e-mail. */
export interface PrivacyRequest {
  id: string
  kind: PrivacyRequestKind
  siteId: string
  /** The visitor's consent key (a keyed hash of site and visitor id), as the consent table knows them. */
  consentKey: string
  /** ISO 8601 */
  requestedAt: string
  /** ISO 8601: one calendar month after the request (GDPR Art. 12(3)). */
  deadline: string
  /** An export or restriction is done at once; an erasure is pending until every vendor settled it. */
  state: ErasureStatus['state']
  erasureId?: string
  principal: string
  /** Why a failed request failed: the error that stopped it, or each failed vendor's answer. */
  failure?: string
}

/** `POST /admin/privacy/requests` answers 200 with the request and what running it gave. */
export interface PrivacyRequestAnswer {
  request: PrivacyRequest
  /** The export document (export), the erasure's status (erase), the rights state (restrict, unrestrict). */
  result: ExportDocument | ErasureStatus | RightsState
  audit: AuditEntry
}

/** `GET /admin/privacy/requests`: newest first. */
export interface PrivacyRequestList {
  requests: PrivacyRequest[]
}
