import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { GA4_MAX_EVENT_BYTES, GA4_MAX_PAGE_LOCATION_CHARS, GA4_MAX_PARAMS_PER_EVENT } from './limits.ts'

const GA4_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
const consentSignal = z.enum(['GRANTED', 'DENIED'])
const paramValue = z.union([z.string().check(z.maxLength(GA4_MAX_PAGE_LOCATION_CHARS)), z.number()])
const nonEmpty = () => z.string().check(z.minLength(1))

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** What the collector queues for GA4: one event plus the request-level fields it must travel with. */
export const ga4PayloadSchema = z.strictObject({
  client_id: nonEmpty(),
  consent: z.strictObject({ ad_user_data: consentSignal, ad_personalization: consentSignal }),
  non_personalized_ads: z.boolean(),
  ip_override: z.optional(nonEmpty()),
  device: z.optional(
    z.strictObject({
      category: z.optional(nonEmpty()),
      browser: z.optional(nonEmpty()),
      operating_system: z.optional(nonEmpty()),
    }),
  ),
  event: z
    .strictObject({
      name: z.string().check(z.regex(GA4_NAME)),
      params: z
        .record(z.string().check(z.regex(GA4_NAME)), paramValue)
        .check(
          z.refine((params) => Object.keys(params).length <= GA4_MAX_PARAMS_PER_EVENT, 'too many params'),
        ),
      timestamp_micros: z.int().check(z.nonnegative()),
    })
    .check(z.refine((event) => byteLength(JSON.stringify(event)) <= GA4_MAX_EVENT_BYTES, 'event too large')),
})
export type Ga4Payload = z.infer<typeof ga4PayloadSchema>
export type Ga4Params = Ga4Payload['event']['params']
export type Ga4Device = NonNullable<Ga4Payload['device']>
