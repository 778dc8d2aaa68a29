import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { DEFAULT_SESSION_MINUTES, DEFAULT_VISITOR_COOKIE_DAYS } from '#shared/tag/api.ts'

const origin = z.string().check(
  z.refine((value) => {
    try {
      return new URL(value).origin === value
    } catch {
      return false
    }
  }, 'must be an origin such as https://www.example.com (scheme, host, optional port; no path)'),
)

/** Browsers keep a cookie at most 400 days (Chrome caps longer lifetimes there). */
const MAX_VISITOR_COOKIE_DAYS = 400

export const siteSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes')),
  writeKeys: z.array(z.string().check(z.minLength(8, 'must be at least 8 characters'))).check(z.minLength(1)),
  allowedOrigins: z.array(origin).check(z.minLength(1)),
  /**
   * Secret keys of the site's backend (issue 10): `Authorization: Bearer <key>` (or Basic with the key
   * as user name) may act for any visitor; never accepted from a browser (a request with an Origin).
   */
  serverKeys: z._default(z.array(z.string().check(z.minLength(24, 'must be at least 24 characters'))), []),
  /**
   * Calendly booking webhooks (issue 11, vendors.md §5). The signing key is a secret, never here: the
   * JSON secret `{siteId: key}` (CALENDLY_SECRET_ARN deployed, TAGWARDEN_CALENDLY_SIGNING_KEYS locally).
   */
  calendly: z.optional(
    z.strictObject({
      /** Send a booking no visitor reference links as an anonymous statistic (random id, no consent lookup). */
      forwardUnlinked: z._default(z.boolean(), false),
      /** How far a signature's `t` may be from now, in seconds (vendors.md §5.4 rule 3; default 180). */
      replayWindowSeconds: z.optional(z.int().check(z.gte(30), z.lte(900))),
    }),
  ),
  /** The proxy's first-party cookies (issue 11): visitor cookie `tw_id`, session cookie `tw_s`. */
  cookies: z._default(
    z.strictObject({
      /** Lifetime of the visitor cookie, renewed by every consent decision. */
      visitorDays: z._default(
        z.int().check(z.gte(1), z.lte(MAX_VISITOR_COOKIE_DAYS)),
        DEFAULT_VISITOR_COOKIE_DAYS,
      ),
      /** A session ends after this many minutes without events. */
      sessionMinutes: z._default(z.int().check(z.gte(5), z.lte(240)), DEFAULT_SESSION_MINUTES),
    }),
    { visitorDays: DEFAULT_VISITOR_COOKIE_DAYS, sessionMinutes: DEFAULT_SESSION_MINUTES },
  ),
  consent: z._default(
    z.strictObject({
      /**
       * `cookie-only`: a browser (public write key) acts only for the visitor of its own `tw_id`
       * cookie; a browser request naming any other id is refused alike (403), known or not. For sites
       * that use tag.js. `any` (default): a browser may name an id and prove it with its visitor token.
       */
      browserIds: z._default(z.enum(['any', 'cookie-only']), 'any'),
    }),
    { browserIds: 'any' },
  ),
})

/**
 * What the functions run with: the deployment's static configuration (sites, keys, origins, retention,
 * trust proxy). Vendor settings are not part of it; they live in the config table.
 */
export const deploymentConfigSchema = z.strictObject({
  /** Version of the privacy policy that consents are recorded under. */
  /**
   * A production deployment refuses vendor settings meant for testing (Meta's `testEventCode`). The
   * stack sets it from the deployment's `production` (default true); `npm start` runs with it off.
   */
  production: z._default(z.boolean(), false),
  policyVersion: z._default(z.string().check(z.minLength(1)), '2018-05'),
  /** Take the client IP from the first X-Forwarded-For address (only behind a trusted proxy). */
  trustProxy: z._default(z.boolean(), false),
  retention: z._default(
    z.strictObject({
      /** How long a consent decision and its history are kept (default 13 months). */
      consentDays: z._default(z.int().check(z.gte(1), z.lte(3650)), 395),
      /** How long an admin audit entry is kept (default 6 years, privacy §9.2). */
      auditDays: z._default(z.int().check(z.gte(1), z.lte(3650)), 2192),
      /** How long the delivery ledger keeps what each vendor was sent (default: as long as consent). */
      ledgerDays: z._default(z.int().check(z.gte(1), z.lte(3650)), 395),
    }),
    { consentDays: 395, auditDays: 2192, ledgerDays: 395 },
  ),
  privacy: z._default(
    z.strictObject({
      /** What an event whose name reveals personal data is called instead (a GA4-valid name). */
      neutralEventName: z._default(
        z.string().check(z.regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lowercase snake_case, ≤ 40 characters')),
        'redacted_event',
      ),
    }),
    { neutralEventName: 'redacted_event' },
  ),
  sites: z.array(siteSchema).check(z.minLength(1)),
})

export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>
export type SiteConfig = z.infer<typeof siteSchema>
