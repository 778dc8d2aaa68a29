import type { EraseContext, ErasurePlan, ErasureSubject } from '../contract.ts'
import type { Ga4Credentials } from './credentials.ts'
import { serviceAccountToken } from './service-account-token.ts'
import type { Ga4Settings } from './settings.ts'

/**
 * Admin API submitUserDeletion (vendors.md §1.11, preferred over the v3 User Deletion API, which Google
 * retired with Universal Analytics). Google's migration guide names its scope `analytics.edit`.
 */
export const GA4_ADMIN_ORIGIN = 'https://analyticsadmin.googleapis.com'
export const GA4_DELETION_SCOPE = 'https://www.googleapis.com/auth/analytics.edit'

export function ga4DeletionPath(propertyId: string): string {
  return `/v1alpha/properties/${propertyId}:submitUserDeletion`
}

/** Deletes the visitor's GA4 data by the client_id GA4 knew them by: a token request, then the deletion. */
export async function eraseFromGa4(
  subject: ErasureSubject,
  context: EraseContext<Ga4Settings, Ga4Credentials>,
): Promise<ErasurePlan> {
  const { propertyId } = context.settings
  const account = context.credentials.serviceAccount
  if (!subject.pseudonym) return { reject: 'GA4 erasure needs the visitor’s client_id' }
  if (!propertyId) return { reject: 'GA4 erasure needs the propertyId setting' }
  if (!account) return { reject: 'GA4 erasure needs a serviceAccount in the GA4 secret' }
  const token = await serviceAccountToken(account, GA4_DELETION_SCOPE, {
    sender: context.sender,
    timeoutMs: context.timeoutMs,
    now: context.now,
    ...(context.baseUrl ? { baseUrl: context.baseUrl } : {}),
  })
  if (!token.ok) return token.retry ? { retry: token.reason } : { reject: token.reason }
  const origin = context.baseUrl ? new URL(context.baseUrl).origin : GA4_ADMIN_ORIGIN
  return {
    send: {
      vendor: 'ga4',
      method: 'POST',
      url: `${origin}${ga4DeletionPath(propertyId)}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.accessToken}` },
      body: JSON.stringify({ clientId: subject.pseudonym }),
      messageIds: [],
    },
  }
}
