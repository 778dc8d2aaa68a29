/**
 * The first-party tag's contract (issue 11): the routes that serve it, the cookies the proxy's own
 * domain sets for it, and what `PUT /v1/consent` answers it. Plain data: the tag, the collector, the
 * consent function and the CDK app all read it from here.
 */

/** The tag, short-cached; the snippet in the README loads this. */
export const TAG_PATH = '/tag.js'
/** The same bytes under their content hash, cached for a year (`immutable`). */
export const VERSIONED_TAG_PATH = '/tag/{version}/tag.js'

/**
 * The persistent visitor cookie: the visitor id when a request names none. Set (HttpOnly, Secure,
 * SameSite=Lax, Path=/, the site's configured lifetime) only once the visitor allows analytics or
 * marketing; cleared (Max-Age=0) by a refusal of both, a revocation or an erasure.
 */
export const VISITOR_COOKIE = 'tw_id'
/**
 * The session cookie: no expiry, the session start and last activity; a session ends after the
 * site's `sessionMinutes` (default 30) without events. Same attributes and lifetime rules as above.
 */
export const SESSION_COOKIE = 'tw_s'

export const DEFAULT_SESSION_MINUTES = 30
export const DEFAULT_VISITOR_COOKIE_DAYS = 395

/**
 * Answer of `PUT /v1/consent` to a browser (the tag names no `anonymousId`: the visitor cookie's id,
 * or a new one, is used). `ref` is the visitor reference (shared/identity/visitor-ref.ts) that the tag
 * passes to an embedded Calendly scheduler as `utm_content`; present only while analytics is allowed.
 */
export interface TagConsentAnswer {
  purposes: { analytics: boolean; marketing: boolean }
  ref?: string
}

/** Inbound Calendly webhooks v2, one signing key per site (vendors.md §5). */
export const CALENDLY_WEBHOOK_PATH = '/v1/webhooks/calendly/{siteId}'
/** The events a Calendly booking becomes; GA4 only (privacy §3.4: internal statistics). */
export const APPOINTMENT_BOOKED = 'Appointment Booked'
export const APPOINTMENT_CANCELED = 'Appointment Canceled'
