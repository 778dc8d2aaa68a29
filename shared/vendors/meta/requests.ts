import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Queued, SendContext } from '../contract.ts'
import type { MetaCredentials } from './credentials.ts'
import { META_MAX_EVENTS_PER_REQUEST } from './limits.ts'
import type { MetaPayload } from './payload.ts'
import type { MetaSettings } from './settings.ts'

export const META_GRAPH_ORIGIN = 'https://graph.facebook.com'

/**
 * The Conversions API requests for a batch: up to 1,000 events each, every message in exactly one.
 * Any event may share a request with any other: everything request-level comes from the settings.
 */
export function buildMetaRequests(
  batch: ReadonlyArray<Queued<MetaPayload>>,
  context: SendContext<MetaSettings, MetaCredentials>,
): VendorRequest[] {
  const url = eventsUrl(context)
  const testEventCode = context.settings.testEventCode
  const requests: VendorRequest[] = []
  for (let start = 0; start < batch.length; start += META_MAX_EVENTS_PER_REQUEST) {
    const chunk = batch.slice(start, start + META_MAX_EVENTS_PER_REQUEST)
    const body = {
      data: chunk.map((message) => message.payload),
      ...(testEventCode === undefined ? {} : { test_event_code: testEventCode }),
    }
    requests.push({
      vendor: 'meta',
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      messageIds: chunk.map((message) => message.messageId),
    })
  }
  return requests
}

/** `{origin}/{apiVersion}/{pixelId}/events?access_token=…`; `baseUrl` replaces the origin only. */
function eventsUrl(context: SendContext<MetaSettings, MetaCredentials>): string {
  const origin = context.baseUrl === undefined ? META_GRAPH_ORIGIN : new URL(context.baseUrl).origin
  const { apiVersion, pixelId } = context.settings
  const query = new URLSearchParams({ access_token: context.credentials.accessToken })
  return `${origin}/${apiVersion}/${pixelId}/events?${query}`
}
