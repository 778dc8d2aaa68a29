import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { LINKEDIN_MAX_EVENT_ID_CHARS } from './limits.ts'

/** Lowercase hex SHA-256 of the trimmed, lowercased e-mail address (vendors.md §3.2). */
export const SHA256_HEX = /^[a-f0-9]{64}$/
/** LinkedIn's first-party click id `li_fat_id` is a UUID. */
export const LI_FAT_ID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const CONVERSION_URN = /^urn:lla:llaPartnerConversion:\d{1,20}$/
export const AMOUNT_FORMAT = /^\d{1,13}(?:\.\d{1,4})?$/
export const CURRENCY_FORMAT = /^[A-Z]{3}$/

const userId = z.union([
  z.strictObject({ idType: z.literal('SHA256_EMAIL'), idValue: z.string().check(z.regex(SHA256_HEX)) }),
  z.strictObject({
    idType: z.literal('LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'),
    idValue: z.string().check(z.regex(LI_FAT_ID_FORMAT)),
  }),
])

const distinctTypes = (ids: ReadonlyArray<{ idType: string }>) =>
  new Set(ids.map((id) => id.idType)).size === ids.length

/**
 * What the collector queues for LinkedIn: one conversion event, ready for a request's `elements`.
 * No `userInfo`: names never leave for LinkedIn (privacy requirements §3.6).
 */
export const linkedinPayloadSchema = z.strictObject({
  conversion: z.string().check(z.regex(CONVERSION_URN)),
  /** Epoch milliseconds. */
  conversionHappenedAt: z.int().check(z.positive()),
  conversionValue: z.optional(
    z.strictObject({
      currencyCode: z.string().check(z.regex(CURRENCY_FORMAT)),
      amount: z.string().check(z.regex(AMOUNT_FORMAT)),
    }),
  ),
  /** The event's messageId, as the Insight Tag's event id: LinkedIn deduplicates on it. */
  eventId: z.string().check(z.minLength(1), z.maxLength(LINKEDIN_MAX_EVENT_ID_CHARS)),
  user: z.strictObject({
    userIds: z
      .array(userId)
      .check(z.minLength(1), z.maxLength(2), z.refine(distinctTypes, 'one id of each type')),
  }),
})

export type LinkedinPayload = z.infer<typeof linkedinPayloadSchema>
export type LinkedinUserId = LinkedinPayload['user']['userIds'][number]
