/**
 * Bounds on the identity work done per request: attackers control every cookie, URL and trait, so
 * each is capped before it is parsed.
 */

/** Characters of a raw `Cookie` header read; browsers send at most a few KB (RFC 6265 §6.1). */
export const MAX_COOKIE_HEADER_LENGTH = 16 * 1024
/** `name=value` pairs read, from the header or API Gateway's `cookies` array. */
export const MAX_COOKIES_PARSED = 200
/** Characters in one allow-listed cookie value; longer ones are not a vendor's id. */
export const MAX_COOKIE_VALUE_LENGTH = 1024
/** Characters in `fbclid`, and in `li_fat_id` from the landing URL. */
export const MAX_CLICK_ID_LENGTH = 512
/** Characters in one raw trait value (an e-mail address is at most 254, RFC 5321). */
export const MAX_TRAIT_VALUE_LENGTH = 256
