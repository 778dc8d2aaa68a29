import ipaddr from 'ipaddr.js'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import {
  META_MAX_CUSTOM_TEXT_CHARS,
  META_MAX_EVENT_NAME_CHARS,
  META_MAX_URL_CHARS,
  META_MAX_USER_AGENT_CHARS,
} from './limits.ts'

/** Lowercase hex SHA-256: the only form Meta takes contact data in (vendors.md §2.3). */
export const SHA256_HEX = /^[a-f0-9]{64}$/
/** `fb.<subdomainIndex>.<creationTime ms>.<fbclid>[.<appendix>]` (vendors.md §2.3). */
export const FBC_FORMAT = /^fb\.\d{1,3}\.\d{13}\.[A-Za-z0-9_-]{1,500}(?:\.[A-Za-z0-9_-]{1,100})?$/
/** `fb.<subdomainIndex>.<creationTime ms>.<random number>[.<appendix>]` (vendors.md §2.3). */
export const FBP_FORMAT = /^fb\.\d{1,3}\.\d{13}\.\d{1,30}(?:\.[A-Za-z0-9_-]{1,100})?$/
/** Upper-case ISO 4217 shape; the mapper also checks the code is a real currency. */
export const CURRENCY_FORMAT = /^[A-Z]{3}$/

/** Hashed keys go as one-element arrays, the form the current Business SDK sends. */
const hashed = z.optional(z.array(z.string().check(z.regex(SHA256_HEX))).check(z.length(1)))
const text = (maxChars: number) => z.string().check(z.minLength(1), z.maxLength(maxChars))

export const metaUserDataSchema = z.strictObject({
  client_user_agent: text(META_MAX_USER_AGENT_CHARS),
  client_ip_address: z.optional(
    text(64).check(z.refine((ip) => ipaddr.isValid(ip), 'must be an IP address')),
  ),
  fbp: z.optional(z.string().check(z.regex(FBP_FORMAT))),
  fbc: z.optional(z.string().check(z.regex(FBC_FORMAT))),
  em: hashed,
  ph: hashed,
  fn: hashed,
  ln: hashed,
  ct: hashed,
  zp: hashed,
  country: hashed,
  external_id: hashed,
})

const customValue = z.union([
  z.string().check(z.maxLength(META_MAX_CUSTOM_TEXT_CHARS)),
  z.number().check(z.refine(Number.isFinite, 'must be finite')),
  z.boolean(),
  z.array(text(META_MAX_CUSTOM_TEXT_CHARS)).check(z.length(1)),
])

/** Website events need the page's absolute http(s) URL. */
export function isHttpUrl(url: string): boolean {
  if (!URL.canParse(url)) return false
  const { protocol } = new URL(url)
  return protocol === 'https:' || protocol === 'http:'
}

const CUSTOM_DATA_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

/** `value` a number ≥ 0, `currency` an ISO 4217 shape, `content_ids` a list of ids (vendors.md §2.7 rule 14). */
function hasValidStandardFields(data: Record<string, unknown>): boolean {
  const { value, currency, content_ids } = data
  if (value !== undefined && !(typeof value === 'number' && value >= 0)) return false
  if (currency !== undefined && !(typeof currency === 'string' && CURRENCY_FORMAT.test(currency)))
    return false
  return content_ids === undefined || Array.isArray(content_ids)
}

/** What the collector queues for Meta: one server event, ready for a request's `data` array. */
export const metaPayloadSchema = z.strictObject({
  event_name: text(META_MAX_EVENT_NAME_CHARS),
  /** Unix seconds. */
  event_time: z.int().check(z.positive()),
  /** The event's messageId, as the browser pixel's `eventID`: Meta keeps one of the two. */
  event_id: text(200),
  action_source: z.literal('website'),
  event_source_url: text(META_MAX_URL_CHARS).check(z.refine(isHttpUrl, 'must be an absolute http(s) URL')),
  user_data: metaUserDataSchema,
  custom_data: z.optional(
    z
      .record(z.string().check(z.regex(CUSTOM_DATA_KEY)), customValue)
      .check(z.refine(hasValidStandardFields, 'value, currency or content_ids malformed')),
  ),
  data_processing_options: z.union([z.tuple([]), z.tuple([z.literal('LDU')])]),
  data_processing_options_country: z.optional(z.literal(0)),
  data_processing_options_state: z.optional(z.literal(0)),
})

export type MetaPayload = z.infer<typeof metaPayloadSchema>
export type MetaUserData = MetaPayload['user_data']
