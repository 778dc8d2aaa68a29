/** Meta's documented limits and the margins we keep from them (vendors.md §2.1, §2.2, §2.5). */

/** Events in one request's `data` (vendors.md §2.1; the figure itself is UNCONFIRMED, so it is the cap). */
export const META_MAX_EVENTS_PER_REQUEST = 1000
/** Meta refuses a whole request when any `event_time` is older than this. */
export const META_MAX_EVENT_AGE_SECONDS = 7 * 24 * 60 * 60
/**
 * An event this close to the 7-day edge is parked rather than sent: retries, clock skew and the time
 * the request spends in flight must not push it over and fail the events it travels with.
 */
export const META_EVENT_AGE_SAFETY_SECONDS = 60 * 60
/** Meta's recommended request timeout; the settings allow no shorter one. */
export const META_MIN_TIMEOUT_MS = 1500
/** Custom event names longer than this are cut (the pixel's documented limit for custom events). */
export const META_MAX_EVENT_NAME_CHARS = 50
/** Longer page URLs are not sent (no browser sends a longer one; bounds work and request size). */
export const META_MAX_URL_CHARS = 8192
/** A longer user agent is not a real browser's; the event is dropped rather than send a cut one. */
export const META_MAX_USER_AGENT_CHARS = 2048
/** A `custom_data` text value is cut to this many characters. */
export const META_MAX_CUSTOM_TEXT_CHARS = 500
/** What of Meta's error message a dead-letter reason quotes. */
export const META_MAX_DETAIL_CHARS = 300
export const MILLISECONDS_PER_SECOND = 1000
