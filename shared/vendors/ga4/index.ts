import { classifyHttpResponse } from '../classify-http.ts'
import type { Vendor } from '../contract.ts'
import { ga4AllowList } from './allow-list.ts'
import { type Ga4Credentials, ga4CredentialsSchema } from './credentials.ts'
import { eraseFromGa4 } from './erase.ts'
import { GA4_MAX_EVENTS_PER_REQUEST } from './limits.ts'
import { GA4_PURPOSES, toGa4Payload } from './map.ts'
import { type Ga4Payload, ga4PayloadSchema } from './payload.ts'
import { ga4Requests, withAdSignalsDenied } from './requests.ts'
import { GA4_RECIPIENT, type Ga4Settings, ga4SettingsSchema } from './settings.ts'

/** Google Analytics 4 over the Measurement Protocol: analytics only, pseudonymous, no IP unless allowed. */
export const ga4Vendor: Vendor<'ga4', Ga4Settings, Ga4Payload, Ga4Credentials> = {
  id: 'ga4',
  label: 'Google Analytics 4',
  profile: { batchSize: GA4_MAX_EVENTS_PER_REQUEST, batchingWindowSeconds: 5 },
  settingsSchema: ga4SettingsSchema,
  recipient: GA4_RECIPIENT,
  credentialsSchema: ga4CredentialsSchema,
  credentialsTemplate: { apiSecret: '' },
  devCredentials: { apiSecret: 'local-dev-ga4-api-secret' },
  payloadSchema: ga4PayloadSchema,
  // GA4 gets its own pseudonym (`client_id`, from MapContext.pseudonyms) and nothing from the edge.
  identity: [],
  purposes: GA4_PURPOSES,
  toPayload: (event, _identity, context) =>
    toGa4Payload(event, {
      clientId: context.pseudonyms.ga4ClientId(event.visitorId),
      marketingAllowed: context.marketingAllowed,
      sendTruncatedIp: context.settings.sendTruncatedIp,
      now: context.now,
      allowList: ga4AllowList(context.settings),
      dropped: context.dropped,
      ...(context.perRequest ? { perRequest: context.perRequest } : {}),
    }),
  narrow: (payload, optedIn) => (optedIn('marketing') ? payload : withAdSignalsDenied(payload)),
  buildRequests: ga4Requests,
  // GA4 answers 2xx even to payloads it discards (vendors.md §1.12 rule 22): 2xx is receipt, not validity.
  classify: (response, _request, now) => classifyHttpResponse(response, now),
  erase: eraseFromGa4,
}
