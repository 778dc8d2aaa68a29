import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { HUBSPOT_MAX_FORM_FIELDS } from './limits.ts'
import { HUBSPOT_PORTAL_ID } from './names.ts'
import { isHttpUrl } from './urls.ts'

/** A form GUID as HubSpot shows it (lowercase, hyphenated). */
export const FORM_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** A HubSpot object type id: `0-1` contact, `0-2` company (vendors.md §4.1, UNCONFIRMED list). */
export const OBJECT_TYPE_ID = /^\d{1,4}-\d{1,6}$/
/** A form field's internal name (HubSpot property names: letters, digits, `_`; ≤ 100 here). */
export const FORM_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/
const MAX_CONSENT_TEXT_CHARS = 2000
const MAX_COMMUNICATIONS = 20

const consentText = z.string().check(z.minLength(1), z.maxLength(MAX_CONSENT_TEXT_CHARS))

const formField = z.strictObject({
  name: z.string().check(z.regex(FORM_FIELD_NAME, 'must be a HubSpot property name')),
  objectTypeId: z._default(
    z
      .string()
      .check(z.regex(OBJECT_TYPE_ID, 'must look like 0-1'), z.describe('0-1 for contact properties.')),
    '0-1',
  ),
  required: z._default(z.boolean().check(z.describe('HubSpot refuses a submission without it.')), false),
})

const communication = z.strictObject({
  subscriptionTypeId: z.int().check(z.positive()),
  text: consentText,
})

const hasUniqueNames = (fields: ReadonlyArray<{ name: string }>) =>
  new Set(fields.map((field) => field.name)).size === fields.length
const hasUniqueIds = (items: ReadonlyArray<{ subscriptionTypeId: number }>) =>
  new Set(items.map((item) => item.subscriptionTypeId)).size === items.length

/**
 * One HubSpot form tagwarden submits to (vendors.md §4.1). The fields must match the form's definition
 * in HubSpot: since 2022 HubSpot refuses unknown fields and missing required ones.
 */
export const hubspotFormConfigSchema = z.strictObject({
  portalId: z
    .string()
    .check(z.regex(HUBSPOT_PORTAL_ID, 'must be the numeric portal id'), z.describe('The HubSpot portal id.')),
  formGuid: z
    .string()
    .check(z.regex(FORM_GUID, 'must be a lowercase form GUID'), z.describe('The form’s GUID in HubSpot.')),
  fields: z
    .array(formField)
    .check(
      z.minLength(1),
      z.maxLength(HUBSPOT_MAX_FORM_FIELDS),
      z.refine(hasUniqueNames, 'field names must be unique'),
      z.describe('The fields the form defines; nothing else a visitor sends is submitted.'),
    ),
  consent: z.optional(
    z
      .strictObject({
        processingText: consentText.check(z.describe('The consent-to-process text the visitor ticks.')),
        communications: z._default(
          z
            .array(communication)
            .check(
              z.maxLength(MAX_COMMUNICATIONS),
              z.refine(hasUniqueIds, 'subscriptionTypeId values must be unique'),
              z.describe('Opt-in boxes: the subscription type each one subscribes to and its text.'),
            ),
          [],
        ),
      })
      .check(z.describe('GDPR consent options of the form; absent: the form carries none.')),
  ),
  thankYouUrl: z.optional(
    z
      .string()
      .check(
        z.refine(isHttpUrl, 'must be an absolute http(s) URL'),
        z.describe('Where the visitor goes after submitting.'),
      ),
  ),
})

export type HubspotFormConfig = z.infer<typeof hubspotFormConfigSchema>
