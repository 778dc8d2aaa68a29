import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The secret's JSON: a private app's access token (`{"accessToken":"…"}`), sent as a Bearer token. */
export const hubspotCredentialsSchema = z.strictObject({
  accessToken: z.string().check(z.minLength(1), z.regex(/^\S+$/, 'must not contain spaces')),
})

export type HubspotCredentials = z.infer<typeof hubspotCredentialsSchema>

export const HUBSPOT_CREDENTIALS_TEMPLATE = { accessToken: '' } as const

/** For `npm start`'s dry run, which sends nothing: never a working token. */
export const HUBSPOT_DEV_CREDENTIALS: HubspotCredentials = { accessToken: 'dev-placeholder-not-a-token' }

export function bearer(credentials: HubspotCredentials): string {
  return `Bearer ${credentials.accessToken}`
}
