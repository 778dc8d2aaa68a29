/** LinkedIn's documented limits and the margins we keep from them (vendors.md §3.2, §3.3). */

/** Elements in one BATCH_CREATE request. */
export const LINKEDIN_MAX_ELEMENTS_PER_REQUEST = 5000
export const MILLISECONDS_PER_SECOND = 1000
const MILLISECONDS_PER_DAY = 24 * 60 * 60 * MILLISECONDS_PER_SECOND
/** LinkedIn rejects conversions that happened longer ago than this. */
export const LINKEDIN_MAX_EVENT_AGE_MS = 90 * MILLISECONDS_PER_DAY
/** An event this close to the 90-day edge is parked: retries and clock skew must not push it over. */
export const LINKEDIN_EVENT_AGE_SAFETY_MS = 60 * 60 * MILLISECONDS_PER_SECOND
/** Conversion rules one site may configure (bounds the work per event). */
export const LINKEDIN_MAX_RULES = 100
/** Characters of a page path pattern, and of a page path matched against one. */
export const LINKEDIN_MAX_PATH_CHARS = 2048
/** Characters of a track event name a rule names. */
export const LINKEDIN_MAX_EVENT_NAME_CHARS = 200
/** Largest `conversionValue.amount` sent; larger ones are not a real order (and print without exponent). */
export const LINKEDIN_MAX_AMOUNT = 1_000_000_000_000
/** Decimal places of `conversionValue.amount`. */
export const LINKEDIN_AMOUNT_DECIMALS = 4
/** What of LinkedIn's error message a dead-letter reason quotes. */
export const LINKEDIN_MAX_DETAIL_CHARS = 300
/** Characters of a messageId, which becomes `eventId`. */
export const LINKEDIN_MAX_EVENT_ID_CHARS = 200
