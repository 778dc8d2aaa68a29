import type { EraseContext, ErasurePlan, ErasureSubject } from '../contract.ts'
import { bearer, type HubspotCredentials } from './credentials.ts'
import { HUBSPOT_API_ORIGIN } from './requests.ts'
import type { HubspotSettings } from './settings.ts'

export const HUBSPOT_GDPR_DELETE_PATH = '/crm/v3/objects/contacts/gdpr-delete'

/** HubSpot's GDPR delete of the contact with this e-mail (vendors.md §4.3); HubSpot knows no other key of ours. */
export async function eraseFromHubspot(
  subject: ErasureSubject,
  context: EraseContext<HubspotSettings, HubspotCredentials>,
): Promise<ErasurePlan> {
  if (!subject.email) return { unavailable: 'needs the visitor’s e-mail from an admin request' }
  const origin = context.baseUrl ? new URL(context.baseUrl).origin : HUBSPOT_API_ORIGIN
  return {
    send: {
      vendor: 'hubspot',
      method: 'POST',
      url: `${origin}${HUBSPOT_GDPR_DELETE_PATH}`,
      headers: { 'content-type': 'application/json', authorization: bearer(context.credentials) },
      body: JSON.stringify({ objectId: subject.email, idProperty: 'email' }),
      messageIds: [],
    },
  }
}
