import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { HUBSPOT_MAX_PROPERTIES, HUBSPOT_MAX_URL_VALUE_CHARS } from './limits.ts'
import { HUBSPOT_EVENT_NAME, HUBSPOT_INTERNAL_NAME, HUBSPOT_UTK } from './names.ts'
import { valueLimit } from './urls.ts'

/** Lowercase hyphenated UUID (any version): what the mapper derives from the messageId. */
export const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** `toISOString()` form: UTC with milliseconds. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** What the collector queues for HubSpot: one element of a `send/batch` request's `inputs`. */
export const hubspotPayloadSchema = z.strictObject({
  eventName: z.string().check(z.regex(HUBSPOT_EVENT_NAME)),
  /** The `hubspotutk` cookie: ties the occurrence to the visitor's HubSpot record without an e-mail. */
  utk: z.string().check(z.regex(HUBSPOT_UTK)),
  /** Derived from the messageId, so a retried event is one occurrence (HubSpot keeps the first). */
  uuid: z.string().check(z.regex(UUID_FORMAT)),
  occurredAt: z.string().check(z.regex(ISO_UTC)),
  properties: z
    .record(
      z.string().check(z.regex(HUBSPOT_INTERNAL_NAME)),
      z.string().check(
        z.maxLength(HUBSPOT_MAX_URL_VALUE_CHARS),
        z.refine((value) => value.length <= valueLimit(value), 'longer than HubSpot takes for a value'),
      ),
    )
    .check(
      z.refine(
        (properties) => Object.keys(properties).length <= HUBSPOT_MAX_PROPERTIES,
        `at most ${HUBSPOT_MAX_PROPERTIES} properties`,
      ),
    ),
})

export type HubspotPayload = z.infer<typeof hubspotPayloadSchema>
