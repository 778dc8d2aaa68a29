/**
 * Ingestion limits. The byte limits follow Segment's HTTP tracking API (500 KB per request, 32 KB per
 * event); the rest keep one request's work and downstream recursion bounded.
 */

/** A whole request body, measured in bytes after base64 decoding. */
export const MAX_REQUEST_BYTES = 500 * 1024
/** One event, measured as the UTF-8 bytes of its JSON serialisation. */
export const MAX_EVENT_BYTES = 32 * 1024
/** Events in one `/v1/batch` request. */
export const MAX_BATCH_EVENTS = 2500
/**
 * Distinct visitors (anonymousId, else userId) in one request. Each costs a consent read; a browser's
 * batch carries one visitor, and server SDKs flush 15 (analytics-node) or 20 (rudder-sdk-node) events.
 */
export const MAX_VISITORS_PER_REQUEST = 20
/** Nesting levels of objects and arrays in a body; deeper input would overflow recursive code. */
export const MAX_JSON_DEPTH = 64

/** Characters in a client `messageId`. */
export const MAX_MESSAGE_ID_LENGTH = 100
/** Characters in an `anonymousId` or `userId`. */
export const MAX_VISITOR_ID_LENGTH = 256
/** Characters in a `track` event name or a `page` name. */
export const MAX_EVENT_NAME_LENGTH = 256
/** Characters in a write key. */
export const MAX_WRITE_KEY_LENGTH = 256
/** Characters in one page field (url, path, title, referrer, search). */
export const MAX_PAGE_FIELD_LENGTH = 8 * 1024
/** Characters in `context.userAgent`. */
export const MAX_USER_AGENT_LENGTH = 1024
/** Characters in `context.locale` (RFC 5646 recommends tags of at most 35 characters). */
export const MAX_LOCALE_LENGTH = 35
/** Characters in `context.sessionId`. */
export const MAX_SESSION_ID_LENGTH = 256
