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

export const ga4Schema = z.strictObject({
  enabled: z._default(z.boolean(), false),
  legalBasis,
  measurementId: z.string().check(z.regex(/^G-[A-Z0-9]+$/, 'must look like G-XXXXXXX')),
  /** `eu` sends to region1.google-analytics.com (collected and processed in the EU). */
  endpoint: z._default(z.enum(['global', 'eu']), 'eu'),
  /** Send the truncated IP as `ip_override` for coarse geo. Off: GA4 receives no IP at all. */
  sendTruncatedIp: z._default(z.boolean(), false),
  timeoutMs: z._default(z.int().check(z.gte(100), z.lte(30_000)), 5_000),
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
  sites: z.array(siteSchema).check(z.minLength(1)),
  vendors: z._default(z.strictObject({ ga4: z.optional(ga4Schema) }), {}),
})

export type TagwardenConfig = z.infer<typeof configSchema>
export type SiteConfig = z.infer<typeof siteSchema>
export type Ga4Config = z.infer<typeof ga4Schema>
