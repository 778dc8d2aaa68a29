import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { vendorSettingsSchema } from '../contract.ts'
import type { Transfer } from '../transfer.ts'

const ga4ParamName = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a GA4 parameter name (lowercase snake_case, ≤ 40)'))

/**
 * The recipient's country and the safeguard assumed until an admin says otherwise (docs/deploy.md):
 * Google LLC, certified under the EU–US Data Privacy Framework.
 */
export const GA4_RECIPIENT: Transfer = { country: 'US', safeguard: 'dpf' }

/** The admin's GA4 settings (config table; seeded from the deployment config's `vendors.ga4`). */
export const ga4SettingsSchema = vendorSettingsSchema(
  {
    measurementId: z.string().check(z.regex(/^G-[A-Z0-9]+$/, 'must look like G-XXXXXXX')),
    /** `eu` sends to region1.google-analytics.com (collected and processed in the EU). */
    endpoint: z._default(z.enum(['global', 'eu']), 'eu'),
    /** Send the truncated IP as `ip_override` for coarse geo. Off: GA4 receives no IP at all. */
    sendTruncatedIp: z._default(z.boolean(), false),
    /**
     * GA4 parameter names (snake_case) that event properties may fill. Absent: the standard ones of GA4's
     * recommended events (see allow-list.ts). Every other property is dropped.
     */
    forwardProperties: z.optional(z.array(ga4ParamName)),
    /** Query parameters kept in `page_location` and `page_referrer` besides `utm_*` and (under marketing) click ids. */
    allowedUrlParams: z.optional(z.array(z.string().check(z.minLength(1)))),
    /** The GA4 property's numeric id: needed only to erase a visitor (Admin API submitUserDeletion). */
    propertyId: z.optional(z.string().check(z.regex(/^\d{1,20}$/, 'must be the numeric GA4 property id'))),
    /** Forward page titles (free text, screened for PII but names cannot be told apart): off by default. */
    forwardPageTitle: z._default(z.boolean(), false),
  },
  { timeoutMs: 5_000, transfer: GA4_RECIPIENT },
)

export type Ga4Settings = z.infer<typeof ga4SettingsSchema>
