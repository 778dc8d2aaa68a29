import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import { truncateIp } from '#shared/privacy/ip.ts'
import type { Classification } from '../contract.ts'
import { classifyHubspotResponse } from './classify.ts'
import { bearer, type HubspotCredentials } from './credentials.ts'
import type { HubspotFormConfig } from './form-config.ts'
import { HUBSPOT_MAX_FORM_VALUE_CHARS } from './limits.ts'
import { HUBSPOT_UTK } from './names.ts'
import { isHttpUrl } from './urls.ts'

export const HUBSPOT_FORMS_ORIGIN = 'https://api.hsforms.com'
const MAX_PAGE_NAME_CHARS = 500
const MAX_PAGE_URI_CHARS = 2048

/** What a visitor submitted, already parsed by the route: typed values only, nothing derived. */
export interface FormSubmission {
  /** The id the request carries in `messageIds` (the route's own id of this submission). */
  id: string
  /** Field name → what the visitor typed; names the form does not define are refused. */
  values: Readonly<Record<string, string>>
  /** The visitor ticked the consent-to-process box. */
  consentToProcess: boolean
  /** The subscription type ids whose boxes the visitor ticked. */
  subscriptions: ReadonlyArray<number>
  submittedAt: Date
  pageUri: string
  pageName?: string
  /** The `hubspotutk` cookie; the caller passes it only when the visitor allows analytics. */
  hutk?: string
  /** A truncated IP; the caller passes it only when configured to. An untruncated one is refused. */
  ipAddress?: string
}

export interface FormSubmitContext {
  config: HubspotFormConfig
  credentials: HubspotCredentials
  /** Replaces scheme and host (local runtime and tests only). */
  baseUrl?: string
}

export type FormSubmitResult = { ok: true; request: VendorRequest } | { ok: false; reason: string }

/**
 * The authenticated Forms API v3 `secure/submit` request for one submission (vendors.md §4.1), or why
 * it must not be sent: a field the form does not define, a missing required field, no processing
 * consent on a form that asks for it (HubSpot would answer MISSING_PROCESSING_CONSENT), or context
 * that is not what the caller promised. Reasons name fields, never values.
 */
export function formSubmitRequest(submission: FormSubmission, context: FormSubmitContext): FormSubmitResult {
  const { config } = context
  const fields = formFields(submission.values, config)
  if (!fields.ok) return fields
  if (config.consent !== undefined && !submission.consentToProcess) {
    return { ok: false, reason: 'the visitor did not consent to processing, which the form requires' }
  }
  const pageContext = formContext(submission)
  if (!pageContext.ok) return pageContext
  const body = {
    fields: fields.fields,
    submittedAt: String(submission.submittedAt.getTime()),
    context: pageContext.context,
    ...(config.consent === undefined
      ? {}
      : { legalConsentOptions: legalConsent(config.consent, submission) }),
  }
  const origin = context.baseUrl === undefined ? HUBSPOT_FORMS_ORIGIN : new URL(context.baseUrl).origin
  return {
    ok: true,
    request: {
      vendor: 'hubspot',
      method: 'POST',
      url: `${origin}/submissions/v3/integration/secure/submit/${config.portalId}/${config.formGuid}`,
      headers: { 'content-type': 'application/json', authorization: bearer(context.credentials) },
      body: JSON.stringify(body),
      messageIds: [submission.id],
    },
  }
}

/** What the Forms API's answer means; the detail names HubSpot's `errors[].errorType`s. */
export function classifyFormSubmitResponse(
  response: VendorResponse,
  request: VendorRequest,
  now: Date,
): Classification {
  return classifyHubspotResponse(response, request, now)
}

interface SubmittedField {
  objectTypeId: string
  name: string
  value: string
}

type FieldsResult = { ok: true; fields: SubmittedField[] } | { ok: false; reason: string }

function formFields(values: Readonly<Record<string, string>>, config: HubspotFormConfig): FieldsResult {
  const defined = new Set(config.fields.map((field) => field.name))
  for (const name of Object.keys(values)) {
    if (!defined.has(name)) return { ok: false, reason: `field ${boundedName(name)} is not in the form` }
  }
  const fields: SubmittedField[] = []
  for (const field of config.fields) {
    const value = Object.hasOwn(values, field.name) ? (values[field.name] ?? '').trim() : ''
    if (value === '') {
      if (field.required) return { ok: false, reason: `required field ${field.name} is empty` }
      continue
    }
    if (value.length > HUBSPOT_MAX_FORM_VALUE_CHARS) {
      return {
        ok: false,
        reason: `field ${field.name} is longer than ${HUBSPOT_MAX_FORM_VALUE_CHARS} characters`,
      }
    }
    fields.push({ objectTypeId: field.objectTypeId, name: field.name, value })
  }
  if (fields.length === 0) return { ok: false, reason: 'no field has a value' }
  return { ok: true, fields }
}

const MAX_QUOTED_NAME_CHARS = 40

/** A field name quoted in a reason: the visitor chose it, so it is cut and stripped of controls. */
function boundedName(name: string): string {
  return JSON.stringify(name.slice(0, MAX_QUOTED_NAME_CHARS).replace(/\p{Cc}/gu, ''))
}

type ContextResult = { ok: true; context: Record<string, string> } | { ok: false; reason: string }

function formContext(submission: FormSubmission): ContextResult {
  const { pageUri, pageName, hutk, ipAddress } = submission
  if (pageUri.length > MAX_PAGE_URI_CHARS || !isHttpUrl(pageUri)) {
    return { ok: false, reason: 'pageUri is not an absolute http(s) URL' }
  }
  const context: Record<string, string> = { pageUri }
  if (pageName !== undefined && pageName.trim() !== '') {
    context.pageName = pageName.trim().slice(0, MAX_PAGE_NAME_CHARS)
  }
  if (hutk !== undefined) {
    if (!HUBSPOT_UTK.test(hutk)) return { ok: false, reason: 'hutk is not a hubspotutk cookie value' }
    context.hutk = hutk
  }
  if (ipAddress !== undefined) {
    if (truncateIp(ipAddress) !== ipAddress) return { ok: false, reason: 'ipAddress is not a truncated IP' }
    context.ipAddress = ipAddress
  }
  return { ok: true, context }
}

function legalConsent(consent: NonNullable<HubspotFormConfig['consent']>, submission: FormSubmission) {
  const ticked = new Set(submission.subscriptions)
  return {
    consent: {
      consentToProcess: submission.consentToProcess,
      text: consent.processingText,
      communications: consent.communications.map((item) => ({
        value: ticked.has(item.subscriptionTypeId),
        subscriptionTypeId: item.subscriptionTypeId,
        text: item.text,
      })),
    },
  }
}
