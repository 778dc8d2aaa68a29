import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The secret's JSON: a 3-legged OAuth access token with `rw_conversions` (`{"accessToken":"…"}`). */
export const linkedinCredentialsSchema = z.strictObject({
  accessToken: z.string().check(z.minLength(1), z.regex(/^\S+$/, 'must not contain spaces')),
})

export type LinkedinCredentials = z.infer<typeof linkedinCredentialsSchema>

export const LINKEDIN_CREDENTIALS_TEMPLATE = { accessToken: '' } as const

/** For `npm start`'s dry run, which sends nothing: never a working token. */
export const LINKEDIN_DEV_CREDENTIALS: LinkedinCredentials = { accessToken: 'dev-placeholder-not-a-token' }
