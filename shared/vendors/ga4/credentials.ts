import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The fields of a Google service account's JSON key that the OAuth JWT flow uses; the rest is ignored. */
export const serviceAccountSchema = z.object({
  client_email: z.string().check(z.minLength(3)),
  private_key: z.string().check(z.startsWith('-----BEGIN')),
  token_uri: z.url({ protocol: /^https?$/ }),
})
export type ServiceAccount = z.infer<typeof serviceAccountSchema>

/**
 * The GA4 secret's JSON: the Measurement Protocol API secret of the web stream, and optionally a service
 * account (its JSON key) with the Editor role on the property, which erasing a visitor needs.
 */
export const ga4CredentialsSchema = z.strictObject({
  apiSecret: z.string().check(z.minLength(1)),
  serviceAccount: z.optional(serviceAccountSchema),
})
export type Ga4Credentials = z.infer<typeof ga4CredentialsSchema>
