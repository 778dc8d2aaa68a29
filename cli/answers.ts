import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** What the CLI reads of the admin API's answers (shared/admin/api.ts); unknown extra fields are kept out. */
const auditEntry = z.object({
  id: z.string(),
  at: z.string(),
  principal: z.string(),
  action: z.string(),
  target: z.string(),
  diff: z.array(
    z.object({ path: z.string(), before: z.optional(z.unknown()), after: z.optional(z.unknown()) }),
  ),
  reason: z.optional(z.string()),
})
export type AuditEntryRow = z.infer<typeof auditEntry>

const vendorView = z.object({
  id: z.string(),
  label: z.string(),
  enabled: z.boolean(),
  legalBasis: z.string(),
  transfer: z.object({ country: z.string(), safeguard: z.string() }),
  settings: z.nullable(z.record(z.string(), z.unknown())),
  revision: z.number(),
  status: z.object({
    queue: z.object({
      depth: z.nullable(z.number()),
      inFlight: z.optional(z.nullable(z.number())),
      oldestAgeSeconds: z.nullable(z.number()),
    }),
    deadLetters: z.object({ count: z.nullable(z.number()) }),
    lastDelivery: z.nullable(
      z.object({ at: z.string(), outcome: z.string(), detail: z.optional(z.string()) }),
    ),
  }),
})
export type VendorRow = z.infer<typeof vendorView>

export const vendorListAnswer = z.object({
  vendors: z.array(vendorView),
  takesEffectWithinSeconds: z.optional(z.number()),
})
export const vendorAnswer = vendorView
export const vendorChangeAnswer = z.object({
  vendor: vendorView,
  audit: auditEntry,
  takesEffectWithinSeconds: z.number(),
})
export const redriveAnswer = z.object({
  vendor: z.string(),
  moving: z.nullable(z.number()),
  audit: auditEntry,
})
export const auditAnswer = z.object({ entries: z.array(auditEntry) })

const policyVersion = z.object({
  version: z.string(),
  effectiveAt: z.string(),
  publishedAt: z.optional(z.string()),
  covers: z.record(z.string(), z.array(z.string())),
  summary: z.optional(z.string()),
})
export type PolicyVersionRow = z.infer<typeof policyVersion>
/** The contract leaves the list's envelope open: a bare array or `{ versions }` are both read. */
export const policyListAnswer = z.union([
  z.pipe(
    z.array(policyVersion),
    z.transform((versions) => ({ versions })),
  ),
  z.object({ versions: z.array(policyVersion) }),
])
export const policyPublishAnswer = z.object({
  version: z.optional(z.union([policyVersion, z.string()])),
  audit: z.optional(auditEntry),
})

const privacyRequest = z.object({
  id: z.string(),
  kind: z.string(),
  siteId: z.string(),
  requestedAt: z.string(),
  deadline: z.string(),
  state: z.string(),
  erasureId: z.optional(z.string()),
  failure: z.optional(z.string()),
})
export type PrivacyRequestRow = z.infer<typeof privacyRequest>
export const privacyListAnswer = z.object({ requests: z.array(privacyRequest) })
export const privacyRequestAnswer = z.object({
  request: privacyRequest,
  result: z.unknown(),
  audit: auditEntry,
})

export const errorAnswer = z.object({ error: z.string(), field: z.optional(z.string()) })
