import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Queued, SendContext } from '../contract.ts'
import { bearer, type HubspotCredentials } from './credentials.ts'
import { HUBSPOT_MAX_INPUTS_PER_REQUEST } from './limits.ts'
import type { HubspotPayload } from './payload.ts'
import type { HubspotSettings } from './settings.ts'

export const HUBSPOT_API_ORIGIN = 'https://api.hubapi.com'
export const HUBSPOT_EVENTS_BATCH_PATH = '/events/v3/send/batch'

/** Events API v3 batch requests (vendors.md §4.2): up to 500 inputs each, every message in exactly one. */
export function buildHubspotRequests(
  batch: ReadonlyArray<Queued<HubspotPayload>>,
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
