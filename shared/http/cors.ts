import type { TagwardenConfig } from '#shared/config/schema.ts'
import { isOriginOfAnySite } from '#shared/config/sites.ts'
import type { HttpResult } from './response.ts'

const PREFLIGHT_MAX_AGE_SECONDS = 600

/** CORS response headers for an allowed origin; none for any other. */
export function corsHeaders(config: TagwardenConfig, origin: string | undefined): Record<string, string> {
  if (!origin || !isOriginOfAnySite(config, origin)) return { vary: 'Origin' }
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  }
}

/** Answers a CORS preflight: 204 with the allowed methods for a configured origin, 403 otherwise. */
export function preflightResponse(config: TagwardenConfig, origin: string | undefined): HttpResult {
  if (!origin || !isOriginOfAnySite(config, origin)) {
    return { statusCode: 403, headers: { vary: 'Origin' }, body: '' }
  }
  return {
    statusCode: 204,
    headers: {
      ...corsHeaders(config, origin),
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    },
    body: '',
  }
}
