import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The GA4 secret's JSON: the Measurement Protocol API secret of the web stream. */
export const ga4CredentialsSchema = z.strictObject({ apiSecret: z.string().check(z.minLength(1)) })
export type Ga4Credentials = z.infer<typeof ga4CredentialsSchema>
