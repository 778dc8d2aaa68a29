import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { isOriginOfAnySite } from '#shared/config/sites.ts'
import type { HttpResult } from './response.ts'

/**
 * Request headers a configured origin may send cross-origin. Plain data, the one list for both the
 * function's own preflight answer (local, Lambda) and the HTTP API's CORS configuration.
 * - `content-type`, `authorization`: every Segment-compatible client (write key as Basic auth).
 * - `x-retry-count`: analytics.js (analytics-next) on every retried request.
 * - `anonymousid`, `sentat`, `rsa-*`: RudderStack JS SDK v3 (XHR transport); the `rsa-*` headers are
 *   set on retries and on events recovered from storage.
 * - `content-encoding`: a client that compresses its body (the collector inflates gzip and deflate).
 * Header names are case-insensitive, so they are listed in lower case.
 */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'content-encoding',
  'x-retry-count',
  'anonymousid',
  'sentat',
  'rsa-recovered',
  'rsa-retry-attempt',
  'rsa-retry-reason',
  'rsa-since-first-attempt',
  'rsa-since-last-attempt',
] as const

/** Methods of the public routes (the preflight itself needs no listing). */
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const

/** Response headers a page may read beyond the safelisted ones: analytics.js honours Retry-After. */
export const CORS_EXPOSED_HEADERS = ['retry-after'] as const

export const PREFLIGHT_MAX_AGE_SECONDS = 600

/**
 * CORS response headers for a configured origin; none for any other (nor for `Origin: null`).
 * `Access-Control-Allow-Credentials` is not among them: the functions whose pages call with cookies
 * add it (credentialsHeaders): consent (the visitor token and tw_id) and collect (tw_id, tw_s).
 */
export function corsHeaders(config: DeploymentConfig, origin: string | undefined): Record<string, string> {
  if (!origin || !isOriginOfAnySite(config, origin)) return { vary: 'Origin' }
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
    vary: 'Origin',
  }
}

/**
 * Added by the consent and collect functions to every answer for a configured origin (refusals too, as
 * API Gateway does deployed), so the page that calls with `credentials: 'include'` can read them.
 */
export function credentialsHeaders(
  config: DeploymentConfig,
  origin: string | undefined,
): Record<string, string> {
  return origin && isOriginOfAnySite(config, origin) ? { 'access-control-allow-credentials': 'true' } : {}
}

/** Answers a CORS preflight: 204 with the allowed methods and headers for a configured origin, 403 otherwise. */
export function preflightResponse(config: DeploymentConfig, origin: string | undefined): HttpResult {
  if (!origin || !isOriginOfAnySite(config, origin)) {
    return { statusCode: 403, headers: { vary: 'Origin' }, body: '' }
  }
  return {
    statusCode: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': [...CORS_ALLOWED_METHODS, 'OPTIONS'].join(', '),
      'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      // A credentialed request (the consent routes' cookie) is sent only if its preflight allows it.
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    },
    body: '',
  }
}
