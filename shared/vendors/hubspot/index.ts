import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Vendor } from '../contract.ts'
import { classifyHubspotResponse } from './classify.ts'
import {
  HUBSPOT_CREDENTIALS_TEMPLATE,
  HUBSPOT_DEV_CREDENTIALS,
  type HubspotCredentials,
  hubspotCredentialsSchema,
} from './credentials.ts'
import { eraseFromHubspot } from './erase.ts'
import { classifyFormSubmitResponse, HUBSPOT_FORMS_ORIGIN } from './form-submission.ts'
import { toPayload } from './map.ts'
import { type HubspotPayload, hubspotPayloadSchema } from './payload.ts'
import { buildHubspotRequests, unsendableHubspot } from './requests.ts'
import { HUBSPOT_RECIPIENT, type HubspotSettings, hubspotSettingsSchema } from './settings.ts'

export type { HubspotCredentials } from './credentials.ts'
export type { HubspotEventPayload, HubspotFormPayload, HubspotPayload } from './payload.ts'
export type { HubspotSettings } from './settings.ts'

/**
 * HubSpot custom behavioural events (vendors.md §4.2): mapped page views and track events, only for
 * analytics, tied to the visitor by the `hubspotutk` cookie; and the contact forms the route
 * `POST /v1/forms/{formId}` queues (shared/ingest/form.ts), sent because the visitor asked.
 */
export const hubspotVendor = {
  id: 'hubspot' as const,
  label: 'HubSpot',
  // One invocation's batch fits one request of at most 500 inputs.
  profile: { batchSize: 100, batchingWindowSeconds: 5 },
  settingsSchema: hubspotSettingsSchema,
  recipient: HUBSPOT_RECIPIENT,
  credentialsSchema: hubspotCredentialsSchema,
  credentialsTemplate: HUBSPOT_CREDENTIALS_TEMPLATE,
  devCredentials: HUBSPOT_DEV_CREDENTIALS,
  payloadSchema: hubspotPayloadSchema,
  identity: ['hubspotutk'],
  purposes: { page: 'analytics', track: 'analytics' },
  takesVisitorRequests: true,
  toPayload,
  unsendable: unsendableHubspot,
  buildRequests: buildHubspotRequests,
  classify: (response, request, now) =>
    isFormRequest(request)
      ? classifyFormSubmitResponse(response, request, now)
      : classifyHubspotResponse(response, request, now),
  erase: eraseFromHubspot,
} satisfies Vendor<'hubspot', HubspotSettings, HubspotPayload, HubspotCredentials>

function isFormRequest(request: VendorRequest): boolean {
  return (
    new URL(request.url).pathname.startsWith('/submissions/v3/') ||
    request.url.startsWith(HUBSPOT_FORMS_ORIGIN)
  )
}
