import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { vendorSettingsSchema } from '../contract.ts'
import type { Transfer } from '../transfer.ts'
import { hubspotFormConfigSchema } from './form-config.ts'
import { HUBSPOT_DEFAULT_TIMEOUT_MS } from './limits.ts'
import { HUBSPOT_INTERNAL_NAME, HUBSPOT_PORTAL_ID } from './names.ts'

const MAX_TRACK_NAME_CHARS = 200
/** A form id as it appears in `POST /v1/forms/{formId}`: one URL-safe path segment. */
export const FORM_ID = /^[A-Za-z0-9_-]{1,64}$/
const internalName = z
  .string()
  .check(z.regex(HUBSPOT_INTERNAL_NAME, 'must be a HubSpot internal name (a-z first, then a-z0-9_; ≤ 50)'))

/**
 * The recipient's country and the safeguard assumed until an admin says otherwise (docs/deploy.md):
 * HubSpot, Inc. (US, Data Privacy Framework); a portal hosted in HubSpot's EU data centre may say DE.
 */
export const HUBSPOT_RECIPIENT: Transfer = { country: 'US', safeguard: 'dpf' }

/**
 * Behavioural events (vendors.md §4.2) and the contact forms of `POST /v1/forms/{formId}` (§4.1). The
 * Events API takes no IP address; the Forms API takes one only when `formsSendTruncatedIp` says so.
 */
export const hubspotSettingsSchema = vendorSettingsSchema(
  {
    portalId: z
      .string()
      .check(
        z.regex(HUBSPOT_PORTAL_ID, 'must be the numeric HubSpot portal (Hub) id'),
        z.describe('The HubSpot portal (Hub) id; event names become pe{portalId}_{name}.'),
      ),
    eventNames: z._default(
      z
        .record(z.string().check(z.minLength(1), z.maxLength(MAX_TRACK_NAME_CHARS)), internalName)
        .check(
          z.describe(
            'Track event name → internal name of a HubSpot custom event (`"Signed Up": "signed_up"`); unmapped track events are not sent.',
          ),
        ),
      {},
    ),
    pageViewEventName: z.optional(
      internalName.check(
        z.describe(
          'Internal name of the custom event page views are sent as; absent: page views are not sent.',
        ),
      ),
    ),
    properties: z._default(
      z
        .array(internalName)
        .check(
          z.describe(
            'Event properties sent to HubSpot, under the same names (each must be defined on the custom event).',
          ),
        ),
      [],
    ),
    pageUrlProperty: z.optional(
      internalName.check(
        z.describe(
          'Event property that receives the scrubbed page URL (≤ 200 characters); absent: not sent.',
        ),
      ),
    ),
    forms: z._default(
      z
        .record(
          z.string().check(z.regex(FORM_ID, 'must be 1–64 of A-Z a-z 0-9 _ -')),
          hubspotFormConfigSchema,
        )
        .check(
          z.describe(
            'Contact forms by the id in POST /v1/forms/{formId}: the HubSpot form each submits to and its fields.',
          ),
        ),
      {},
    ),
    formsSendTruncatedIp: z._default(
      z
        .boolean()
        .check(z.describe('Send the truncated IP as a form submission’s context.ipAddress; off: no IP.')),
      false,
    ),
  },
  { timeoutMs: HUBSPOT_DEFAULT_TIMEOUT_MS, transfer: HUBSPOT_RECIPIENT },
)

export type HubspotSettings = z.infer<typeof hubspotSettingsSchema>
