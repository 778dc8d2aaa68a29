import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { hubspotFormConfigSchema } from './form-config.ts'
import {
  HUBSPOT_MAX_FORM_FIELDS,
  HUBSPOT_MAX_FORM_VALUE_CHARS,
  HUBSPOT_MAX_PROPERTIES,
  HUBSPOT_MAX_URL_VALUE_CHARS,
} from './limits.ts'
import { HUBSPOT_EVENT_NAME, HUBSPOT_INTERNAL_NAME, HUBSPOT_UTK } from './names.ts'
import { valueLimit } from './urls.ts'

/** Lowercase hyphenated UUID (any version): what the mapper derives from the messageId. */
export const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** `toISOString()` form: UTC with milliseconds. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** A behavioural event the collector queues for HubSpot: one element of a `send/batch` request's `inputs`. */
export const hubspotEventPayloadSchema = z.strictObject({
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

export type HubspotEventPayload = z.infer<typeof hubspotEventPayloadSchema>

const MAX_PAGE_CHARS = 2048
const MAX_SUBSCRIPTIONS = 20

/**
 * A contact request the visitor sent through `POST /v1/forms/{formId}`: the form as configured when it
 * was queued and the typed values, the only HubSpot message that holds an e-mail in clear (the Forms
 * API needs it; the queue is encrypted at rest). `hutk` and `ipAddress` are present only when allowed.
 */
export const hubspotFormPayloadSchema = z.strictObject({
  kind: z.literal('form'),
  formId: z.string().check(z.minLength(1), z.maxLength(64)),
  config: hubspotFormConfigSchema,
  submission: z.strictObject({
    values: z
      .record(z.string(), z.string().check(z.maxLength(HUBSPOT_MAX_FORM_VALUE_CHARS)))
      .check(
        z.refine(
          (values) => Object.keys(values).length <= HUBSPOT_MAX_FORM_FIELDS,
          `at most ${HUBSPOT_MAX_FORM_FIELDS} fields`,
        ),
      ),
    consentToProcess: z.boolean(),
    subscriptions: z.array(z.int().check(z.positive())).check(z.maxLength(MAX_SUBSCRIPTIONS)),
    submittedAt: z.string().check(z.regex(ISO_UTC)),
    pageUri: z.string().check(z.maxLength(MAX_PAGE_CHARS)),
    pageName: z.optional(z.string().check(z.maxLength(MAX_PAGE_CHARS))),
    hutk: z.optional(z.string().check(z.regex(HUBSPOT_UTK))),
    ipAddress: z.optional(z.string().check(z.maxLength(64))),
  }),
})

export type HubspotFormPayload = z.infer<typeof hubspotFormPayloadSchema>

/** What the collector queues for HubSpot: a behavioural event (no `kind`) or a form submission. */
export const hubspotPayloadSchema = z.union([hubspotEventPayloadSchema, hubspotFormPayloadSchema])

export type HubspotPayload = z.infer<typeof hubspotPayloadSchema>

export function isFormPayload(payload: HubspotPayload): payload is HubspotFormPayload {
  return 'kind' in payload && payload.kind === 'form'
}
