import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Queued, SendContext } from '../contract.ts'
import { bearer, HUBSPOT_DEV_CREDENTIALS, type HubspotCredentials } from './credentials.ts'
import { type FormSubmission, formSubmitRequest } from './form-submission.ts'
import { HUBSPOT_MAX_INPUTS_PER_REQUEST } from './limits.ts'
import {
  type HubspotEventPayload,
  type HubspotFormPayload,
  type HubspotPayload,
  isFormPayload,
} from './payload.ts'
import type { HubspotSettings } from './settings.ts'

export const HUBSPOT_API_ORIGIN = 'https://api.hubapi.com'
export const HUBSPOT_EVENTS_BATCH_PATH = '/events/v3/send/batch'

/**
 * Events go in Events API v3 batch requests (vendors.md §4.2), up to 500 inputs each; each form
 * submission is one Forms API v3 `secure/submit` request (§4.1). Every message lands in exactly one
 * request: a form payload that cannot become a request was parked before (see `unsendableHubspot`).
 */
export function buildHubspotRequests(
  batch: ReadonlyArray<Queued<HubspotPayload>>,
  context: SendContext<HubspotSettings, HubspotCredentials>,
): VendorRequest[] {
  const events: Array<Queued<HubspotEventPayload>> = []
  const forms: VendorRequest[] = []
  for (const { messageId, payload } of batch) {
    if (!isFormPayload(payload)) {
      events.push({ messageId, payload })
      continue
    }
    const built = formRequest(messageId, payload, context.credentials, context.baseUrl)
    if (built.ok) forms.push(built.request)
  }
  return [...eventRequests(events, context), ...forms]
}

/** Why a queued payload cannot be sent (a form submission HubSpot would refuse), or null. */
export function unsendableHubspot(payload: HubspotPayload): string | null {
  if (!isFormPayload(payload)) return null
  const built = formRequest('check', payload, HUBSPOT_DEV_CREDENTIALS, undefined)
  return built.ok ? null : `form ${payload.formId}: ${built.reason}`
}

function formRequest(
  messageId: string,
  payload: HubspotFormPayload,
  credentials: HubspotCredentials,
  baseUrl: string | undefined,
) {
  const { submittedAt, pageName, hutk, ipAddress, ...rest } = payload.submission
  const submission: FormSubmission = {
    ...rest,
    id: messageId,
    submittedAt: new Date(submittedAt),
    ...(pageName === undefined ? {} : { pageName }),
    ...(hutk === undefined ? {} : { hutk }),
    ...(ipAddress === undefined ? {} : { ipAddress }),
  }
  return formSubmitRequest(submission, {
    config: payload.config,
    credentials,
    ...(baseUrl === undefined ? {} : { baseUrl }),
  })
}

function eventRequests(
  batch: ReadonlyArray<Queued<HubspotEventPayload>>,
  context: SendContext<HubspotSettings, HubspotCredentials>,
): VendorRequest[] {
  const origin = context.baseUrl === undefined ? HUBSPOT_API_ORIGIN : new URL(context.baseUrl).origin
  const requests: VendorRequest[] = []
  for (let start = 0; start < batch.length; start += HUBSPOT_MAX_INPUTS_PER_REQUEST) {
    const chunk = batch.slice(start, start + HUBSPOT_MAX_INPUTS_PER_REQUEST)
    requests.push({
      vendor: 'hubspot',
      method: 'POST',
      url: `${origin}${HUBSPOT_EVENTS_BATCH_PATH}`,
      headers: { 'content-type': 'application/json', authorization: bearer(context.credentials) },
      body: JSON.stringify({ inputs: chunk.map((message) => message.payload) }),
      messageIds: chunk.map((message) => message.messageId),
    })
  }
  return requests
}
