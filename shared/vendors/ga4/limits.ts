/** What the Measurement Protocol accepts (vendors.md §1.3, §1.5). */
export const GA4_MAX_EVENTS_PER_REQUEST = 25
/** The Measurement Protocol wants a body under 130 kB; taking kB as 1000 bytes is the safe reading. */
export const GA4_MAX_BODY_BYTES = 130_000
/** One queued event may take at most this much of a request body, so any event fits a request alone. */
export const GA4_MAX_EVENT_BYTES = 64 * 1024
export const GA4_MAX_PARAMS_PER_EVENT = 25
export const GA4_MAX_PARAM_VALUE_CHARS = 100
export const GA4_MAX_PAGE_LOCATION_CHARS = 1000
export const GA4_MAX_PAGE_TITLE_CHARS = 300
export const GA4_MAX_PAGE_REFERRER_CHARS = 420
/** GA4 accepts events backdated by at most 72 hours. */
export const GA4_MAX_BACKDATE_MS = 72 * 60 * 60 * 1000
/** Kept off the 72 h edge so an event clamped now is still inside the window when GA4 receives it. */
export const BACKDATE_SAFETY_MS = 60 * 1000
/** We cannot measure engagement server-side; 1 ms is the least that makes events show in Realtime. */
export const GA4_ENGAGEMENT_TIME_MSEC = 1
export const MICROS_PER_MILLI = 1000
export const MILLIS_PER_SECOND = 1000
