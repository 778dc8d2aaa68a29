import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

const legalBasis = z._default(z.enum(['consent', 'legitimate_interest']), 'consent')

const origin = z.string().check(
  z.refine((value) => {
    try {
      return new URL(value).origin === value
    } catch {
      return false
    }
  }, 'must be an origin such as https://www.example.com (scheme, host, optional port; no path)'),
)

export const siteSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes')),
  writeKeys: z.array(z.string().check(z.minLength(8, 'must be at least 8 characters'))).check(z.minLength(1)),
  allowedOrigins: z.array(origin).check(z.minLength(1)),
})

const ga4ParamName = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a GA4 parameter name (lowercase snake_case, ≤ 40)'))

export const ga4Schema = z.strictObject({
  enabled: z._default(z.boolean(), false),
  legalBasis,
  measurementId: z.string().check(z.regex(/^G-[A-Z0-9]+$/, 'must look like G-XXXXXXX')),
  /** `eu` sends to region1.google-analytics.com (collected and processed in the EU). */
  endpoint: z._default(z.enum(['global', 'eu']), 'eu'),
  /** Send the truncated IP as `ip_override` for coarse geo. Off: GA4 receives no IP at all. */
  sendTruncatedIp: z._default(z.boolean(), false),
  timeoutMs: z._default(z.int().check(z.gte(100), z.lte(30_000)), 5_000),
  /**
   * GA4 parameter names (snake_case) that event properties may fill. Absent: the standard ones of GA4's
   * recommended events (see shared/vendors/ga4-allow-list.ts). Every other property is dropped.
   */
  forwardProperties: z.optional(z.array(ga4ParamName)),
  /** Query parameters kept in `page_location` and `page_referrer` besides `utm_*` and (under marketing) click ids. */
  allowedUrlParams: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** Forward page titles (free text, screened for PII but names cannot be told apart): off by default. */
  forwardPageTitle: z._default(z.boolean(), false),
})

export const configSchema = z.strictObject({
  /** Version of the privacy policy that consents are recorded under. */
  policyVersion: z._default(z.string().check(z.minLength(1)), '2018-05'),
  /** Take the client IP from the first X-Forwarded-For address (only behind a trusted proxy). */
  trustProxy: z._default(z.boolean(), false),
  retention: z._default(
    z.strictObject({
      /** How long a consent decision and its history are kept (default 13 months). */
      consentDays: z._default(z.int().check(z.gte(1), z.lte(3650)), 395),
    }),
    { consentDays: 395 },
  ),
  privacy: z._default(
    z.strictObject({
      /** What an event whose name reveals personal data is called instead (a GA4-valid name). */
      neutralEventName: z._default(
        z.string().check(z.regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lowercase snake_case, ≤ 40 characters')),
        'redacted_event',
      ),
    }),
    { neutralEventName: 'redacted_event' },
  ),
  sites: z.array(siteSchema).check(z.minLength(1)),
  vendors: z._default(z.strictObject({ ga4: z.optional(ga4Schema) }), {}),
})

export type TagwardenConfig = z.infer<typeof configSchema>
export type SiteConfig = z.infer<typeof siteSchema>
export type Ga4Config = z.infer<typeof ga4Schema>
