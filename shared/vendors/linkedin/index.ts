import type { Vendor } from '../contract.ts'
import { classifyLinkedinResponse } from './classify.ts'
import {
  LINKEDIN_CREDENTIALS_TEMPLATE,
  LINKEDIN_DEV_CREDENTIALS,
  type LinkedinCredentials,
  linkedinCredentialsSchema,
} from './credentials.ts'
import { linkedinUnsendable } from './event-age.ts'
import { toPayload } from './map.ts'
import { type LinkedinPayload, linkedinPayloadSchema } from './payload.ts'
import { buildLinkedinRequests } from './requests.ts'
import { LINKEDIN_RECIPIENT, type LinkedinSettings, linkedinSettingsSchema } from './settings.ts'

export type { LinkedinCredentials } from './credentials.ts'
export type { LinkedinPayload } from './payload.ts'
export type { LinkedinSettings } from './settings.ts'

/** LinkedIn Conversions API (vendors.md §3): configured conversions only, only for marketing. */
export const linkedinVendor: Vendor<'linkedin', LinkedinSettings, LinkedinPayload, LinkedinCredentials> = {
  id: 'linkedin',
  label: 'LinkedIn Conversions API',
  // Well under the 5,000 elements a request may carry: one invocation's batch fits one request.
  profile: { batchSize: 100, batchingWindowSeconds: 5 },
  settingsSchema: linkedinSettingsSchema,
  recipient: LINKEDIN_RECIPIENT,
  credentialsSchema: linkedinCredentialsSchema,
  credentialsTemplate: LINKEDIN_CREDENTIALS_TEMPLATE,
  devCredentials: LINKEDIN_DEV_CREDENTIALS,
  payloadSchema: linkedinPayloadSchema,
  identity: ['email', 'liFatId'],
  purposes: { page: 'marketing', track: 'marketing' },
  toPayload,
  unsendable: linkedinUnsendable,
  buildRequests: buildLinkedinRequests,
  classify: classifyLinkedinResponse,
}
