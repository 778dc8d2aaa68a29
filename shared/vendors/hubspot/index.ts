import type { Vendor } from '../contract.ts'
import { classifyHubspotResponse } from './classify.ts'
import {
  HUBSPOT_CREDENTIALS_TEMPLATE,
  HUBSPOT_DEV_CREDENTIALS,
  type HubspotCredentials,
  hubspotCredentialsSchema,
} from './credentials.ts'
import { toPayload } from './map.ts'
import { type HubspotPayload, hubspotPayloadSchema } from './payload.ts'
import { buildHubspotRequests } from './requests.ts'
import { type HubspotSettings, hubspotSettingsSchema } from './settings.ts'

export type { HubspotCredentials } from './credentials.ts'
export type { HubspotPayload } from './payload.ts'
export type { HubspotSettings } from './settings.ts'

/**
 * HubSpot custom behavioural events (vendors.md §4.2): mapped page views and track events, only for
 * analytics, tied to the visitor by the `hubspotutk` cookie. Contact forms are not events: see
 * form-submission.ts.
 */
export const hubspotVendor: Vendor<'hubspot', HubspotSettings, HubspotPayload, HubspotCredentials> = {
  id: 'hubspot',
  label: 'HubSpot',
  // One invocation's batch fits one request of at most 500 inputs.
  profile: { batchSize: 100, batchingWindowSeconds: 5 },
  settingsSchema: hubspotSettingsSchema,
  credentialsSchema: hubspotCredentialsSchema,
  credentialsTemplate: HUBSPOT_CREDENTIALS_TEMPLATE,
  devCredentials: HUBSPOT_DEV_CREDENTIALS,
  payloadSchema: hubspotPayloadSchema,
  identity: ['hubspotutk'],
  purposes: { page: 'analytics', track: 'analytics' },
  toPayload,
  buildRequests: buildHubspotRequests,
  classify: classifyHubspotResponse,
}
