import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { vendorSettingsSchema } from '../contract.ts'
import type { Transfer } from '../transfer.ts'
import { META_MIN_TIMEOUT_MS } from './limits.ts'
import { META_STANDARD_EVENTS } from './standard-events.ts'

/** Graph API version used when the admin names none (vendors.md §2.1: versions live at least two years). */
export const META_DEFAULT_API_VERSION = 'v25.0'
const MAX_TIMEOUT_MS = 30_000
const MAX_TRACK_NAME_CHARS = 200
const MAX_TEST_EVENT_CODE_CHARS = 100

/**
 * Properties that carry amounts, codes and identifiers of things, never of people; free-text ones
 * (`content_name`, `search_string`) are left for a site to allow.
 */
export const META_DEFAULT_CUSTOM_DATA: readonly string[] = [
  'value',
  'currency',
  'content_ids',
  'content_type',
  'content_category',
  'num_items',
  'order_id',
  'predicted_ltv',
]

const propertyName = z
  .string()
  .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a property name (letters, digits, _; ≤ 64)'))

/**
 * The recipient's country and the safeguard assumed until an admin says otherwise (docs/deploy.md):
 * Meta Platforms, Inc. receives the data; certified under the EU–US Data Privacy Framework.
 */
export const META_RECIPIENT: Transfer = { country: 'US', safeguard: 'dpf' }

export const metaSettingsSchema = vendorSettingsSchema(
  {
    timeoutMs: z._default(
      z
        .int()
        .check(
          z.gte(META_MIN_TIMEOUT_MS),
          z.lte(MAX_TIMEOUT_MS),
          z.describe('Request timeout in ms; Meta recommends 1,500 (the least allowed).'),
        ),
      META_MIN_TIMEOUT_MS,
    ),
    pixelId: z
      .string()
      .check(
        z.regex(/^\d{1,20}$/, 'must be the numeric pixel (dataset) id'),
        z.describe('The Meta pixel (dataset) id the events are sent to.'),
      ),
    apiVersion: z._default(
      z
        .string()
        .check(
          z.regex(/^v\d{1,4}\.0$/, 'must be a Graph API version such as v25.0'),
          z.describe('Graph API version in the request path.'),
        ),
      META_DEFAULT_API_VERSION,
    ),
    eventNames: z._default(
      z
        .record(
          z.string().check(z.minLength(1), z.maxLength(MAX_TRACK_NAME_CHARS)),
          z.enum(META_STANDARD_EVENTS),
        )
        .check(
          z.describe(
            'Track event name → Meta standard event (`"Signed Up": "CompleteRegistration"`); other track events go as custom events.',
          ),
        ),
      {},
    ),
    customData: z._default(
      z
        .array(propertyName)
        .check(z.describe('Event properties that may fill custom_data, under the same names.')),
      [...META_DEFAULT_CUSTOM_DATA],
    ),
    sendTruncatedIp: z._default(
      z
        .boolean()
        .check(z.describe('Send the truncated IP as client_ip_address. Off: Meta receives no IP at all.')),
      false,
    ),
    limitedDataUse: z._default(
      z
        .boolean()
        .check(z.describe('Mark every event for Limited Data Use (US-state privacy), geolocated by Meta.')),
      false,
    ),
    testEventCode: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(MAX_TEST_EVENT_CODE_CHARS),
          z.describe('Routes events to Events Manager → Test Events; refused in production.'),
        ),
    ),
  },
  { timeoutMs: META_MIN_TIMEOUT_MS, transfer: META_RECIPIENT },
)

export type MetaSettings = z.infer<typeof metaSettingsSchema>

/** Why these settings may not run in this stage, or null. */
export function checkMetaSettings(settings: MetaSettings, stage: { production: boolean }): string | null {
  if (stage.production && settings.testEventCode !== undefined) {
    return 'testEventCode routes events to the Test Events tool instead of the pixel: not allowed in production'
  }
  return null
}
