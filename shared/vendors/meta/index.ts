import type { Vendor } from '../contract.ts'
import { classifyMetaResponse } from './classify.ts'
import {
  META_CREDENTIALS_TEMPLATE,
  META_DEV_CREDENTIALS,
  type MetaCredentials,
  metaCredentialsSchema,
} from './credentials.ts'
import { metaUnsendable } from './event-age.ts'
import { toPayload } from './map.ts'
import { type MetaPayload, metaPayloadSchema } from './payload.ts'
import { buildMetaRequests } from './requests.ts'
import { checkMetaSettings, META_RECIPIENT, type MetaSettings, metaSettingsSchema } from './settings.ts'

export type { MetaCredentials } from './credentials.ts'
export type { MetaPayload } from './payload.ts'
export type { MetaSettings } from './settings.ts'

/** Meta Conversions API (vendors.md §2): page views and tracked events, only for marketing. */
export const metaVendor: Vendor<'meta', MetaSettings, MetaPayload, MetaCredentials> = {
  id: 'meta',
  label: 'Meta Conversions API',
  // Well under the 1,000 events a request may carry: one invocation's batch fits one request.
  profile: { batchSize: 100, batchingWindowSeconds: 5 },
  settingsSchema: metaSettingsSchema,
  recipient: META_RECIPIENT,
  credentialsSchema: metaCredentialsSchema,
  credentialsTemplate: META_CREDENTIALS_TEMPLATE,
  devCredentials: META_DEV_CREDENTIALS,
  payloadSchema: metaPayloadSchema,
  identity: [
    'email',
    'phone',
    'firstName',
    'lastName',
    'city',
    'postcode',
    'country',
    'userAgent',
    'fbp',
    'fbc',
    'externalId',
  ],
  purposes: { page: 'marketing', track: 'marketing' },
  checkSettings: checkMetaSettings,
  toPayload,
  unsendable: metaUnsendable,
  buildRequests: buildMetaRequests,
  classify: classifyMetaResponse,
}
