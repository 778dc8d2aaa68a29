import * as z from 'zod'

const legalBasis = z.enum(['consent', 'legitimate_interest']).default('consent')

const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value
  } catch {
    return false
  }
}, 'must be an origin such as https://www.example.com (scheme, host, optional port; no path)')

export const siteSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes'),
  writeKeys: z.array(z.string().min(8, 'must be at least 8 characters')).min(1),
  allowedOrigins: z.array(origin).min(1),
})

export const ga4Schema = z.strictObject({
  enabled: z.boolean().default(false),
  legalBasis,
  measurementId: z.string().regex(/^G-[A-Z0-9]+$/, 'must look like G-XXXXXXX'),
  /** `eu` sends to region1.google-analytics.com (collected and processed in the EU). */
  endpoint: z.enum(['global', 'eu']).default('eu'),
  /** Send the truncated IP as `ip_override` for coarse geo. Off: GA4 receives no IP at all. */
  sendTruncatedIp: z.boolean().default(false),
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
})

export const configSchema = z.strictObject({
  /** Version of the privacy policy that consents are recorded under. */
  policyVersion: z.string().min(1).default('2018-05'),
  /** Take the client IP from the first X-Forwarded-For address (only behind a trusted proxy). */
  trustProxy: z.boolean().default(false),
  retention: z
    .strictObject({
      /** How long a consent decision and its history are kept (default 13 months). */
      consentDays: z.number().int().min(1).max(3650).default(395),
    })
    .default({ consentDays: 395 }),
  sites: z.array(siteSchema).min(1),
  vendors: z.strictObject({ ga4: ga4Schema.optional() }).default({}),
})

export type TagwardenConfig = z.infer<typeof configSchema>
export type SiteConfig = z.infer<typeof siteSchema>
export type Ga4Config = z.infer<typeof ga4Schema>
