/** HubSpot's documented limits and the caps we keep where the doc has none (vendors.md §4.1, §4.2). */

/** Inputs in one `send/batch` request (vendors.md §4.2: the maximum is UNCONFIRMED; 500 is the cap). */
export const HUBSPOT_MAX_INPUTS_PER_REQUEST = 500
/** Characters of a property's internal name (and of an event's internal name). */
export const HUBSPOT_MAX_NAME_CHARS = 50
/** Characters of a property value that is not a URL. */
export const HUBSPOT_MAX_VALUE_CHARS = 50
/** Characters of a URL or referrer property value. */
export const HUBSPOT_MAX_URL_VALUE_CHARS = 200
/** Properties on one event occurrence. */
export const HUBSPOT_MAX_PROPERTIES = 50
/** Entries in a form submission's `fields`. */
export const HUBSPOT_MAX_FORM_FIELDS = 1000
/** Characters of one submitted form value we pass on (bounds request size; HubSpot's own cap is unknown). */
export const HUBSPOT_MAX_FORM_VALUE_CHARS = 10_000
/** What of HubSpot's error message a dead-letter reason quotes. */
export const HUBSPOT_MAX_DETAIL_CHARS = 300
/** HubSpot's default timeout here; the Events API answers a batch with an empty 204. */
export const HUBSPOT_DEFAULT_TIMEOUT_MS = 5_000
