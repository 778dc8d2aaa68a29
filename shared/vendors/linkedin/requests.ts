import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Queued, SendContext } from '../contract.ts'
import type { LinkedinCredentials } from './credentials.ts'
import { LINKEDIN_MAX_ELEMENTS_PER_REQUEST } from './limits.ts'
import type { LinkedinPayload } from './payload.ts'
import type { LinkedinSettings } from './settings.ts'

export const LINKEDIN_API_ORIGIN = 'https://api.linkedin.com'
export const LINKEDIN_EVENTS_PATH = '/rest/conversionEvents'

/**
 * BATCH_CREATE requests for a batch: up to 5,000 elements each, every message in exactly one, and
 * `messageIds[i]` the message of `elements[i]` (the classifier maps a 422's indexes back by it).
 */
export function buildLinkedinRequests(
  batch: ReadonlyArray<Queued<LinkedinPayload>>,
  context: SendContext<LinkedinSettings, LinkedinCredentials>,
): VendorRequest[] {
  const origin = context.baseUrl === undefined ? LINKEDIN_API_ORIGIN : new URL(context.baseUrl).origin
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${context.credentials.accessToken}`,
    'linkedin-version': context.settings.version,
    'x-restli-protocol-version': '2.0.0',
    'x-restli-method': 'BATCH_CREATE',
  }
  const requests: VendorRequest[] = []
  for (let start = 0; start < batch.length; start += LINKEDIN_MAX_ELEMENTS_PER_REQUEST) {
    const chunk = batch.slice(start, start + LINKEDIN_MAX_ELEMENTS_PER_REQUEST)
    requests.push({
      vendor: 'linkedin',
      method: 'POST',
      url: `${origin}${LINKEDIN_EVENTS_PATH}`,
      headers: { ...headers },
      body: JSON.stringify({ elements: chunk.map((message) => message.payload) }),
      messageIds: chunk.map((message) => message.messageId),
    })
  }
  return requests
}
