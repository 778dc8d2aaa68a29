import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The secret's JSON: a Conversions API access token (`{"accessToken":"…"}`). */
export const metaCredentialsSchema = z.strictObject({
  accessToken: z.string().check(z.minLength(1), z.regex(/^\S+$/, 'must not contain spaces')),
})

export type MetaCredentials = z.infer<typeof metaCredentialsSchema>

export const META_CREDENTIALS_TEMPLATE = { accessToken: '' } as const

/** For `npm start`'s dry run, which sends nothing: never a working token. */
export const META_DEV_CREDENTIALS: MetaCredentials = { accessToken: 'dev-placeholder-not-a-token' }
